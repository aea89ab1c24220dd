// Reads a spapr-vlan device's counters and pool state into the shared telemetry shape
// (query-vlan-stats, Prometheus). Pools come from the device's pool table (spec 4.5); the
// per-size telemetry entries (beyond QEMU) are attached to the pool of that size, the rest
// are listed by size.
import type { SpaprVlan } from '../devices/spapr-vlan.js';
import type { CounterSet, VlanDeviceStats } from './vlan-stats.js';

/** Pool size value of an unused pool slot (spec 4.5). */
const POOL_UNUSED = 0x7fffffff;

export function spaprVlanStats(dev: SpaprVlan, id: string): VlanDeviceStats {
  const { irqPulses, ...counters } = dev.counters();
  const sizes = new Map<number, CounterSet>();
  for (const s of dev.sizeStats()) {
    sizes.set(s.size, { posted: s.posted, hits: s.hits, fallbacks: s.fallbacks, wastedBytes: s.wasted, dropped: s.dropped });
  }
  const pools = dev.options.useRxBufferPools
    ? dev.pools()
      .map((p, index) => ({ index, bufferSize: p.bufSize, buffers: p.count }))
      .filter((p) => p.bufferSize !== POOL_UNUSED && p.bufferSize > 0)
      .map((p) => {
        const c = sizes.get(p.bufferSize) ?? { posted: 0n, hits: 0n, fallbacks: 0n, wastedBytes: 0n, dropped: 0n };
        sizes.delete(p.bufferSize);
        return { ...p, counters: c };
      })
    : [];
  return {
    id,
    unitAddress: dev.reg,
    mac: [...dev.mac].map((b) => b.toString(16).padStart(2, '0')).join(':'),
    open: dev.isOpen,
    rxBufferPools: dev.options.useRxBufferPools,
    rxBuffers: dev.rxBufs,
    counters: { ...counters, interrupts: irqPulses },
    pools,
    bufferSizes: [...sizes].map(([size, c]) => ({ size, counters: c })),
  };
}
