// spapr-vlan telemetry read from a real device (no CPU): hypercalls post buffers, the host
// delivers frames, query-vlan-stats' source reports exact counters, pools and per-size stats.
import { describe, expect, it } from 'vitest';
import { fixture, U } from '../vlan/fixture.js';
import { spaprVlanStats } from '../../host-ts/telemetry/spapr-vlan-stats.js';

describe('spaprVlanStats', () => {
  it('pools mode: counters, pool occupancy and the pool size telemetry', () => {
    const fx = fixture({ mac: '52:54:00:aa:bb:cc' });
    fx.reg();
    fx.mapRange(0x10000, 0x10000);
    for (let i = 0; i < 3; i++) expect(fx.add(2048, 0x10000 + i * 0x1000)).toBe(0n);
    expect(fx.add(512, 0x18000)).toBe(0n);
    // 100 bytes fit the 512 pool; 1000 bytes take a 2048 buffer; the next 100 bytes fall back to 2048.
    for (const n of [100, 1000, 100]) {
      expect(fx.dev.deliver(fx.frame(n))).toBe(true);
      fx.advanceUs(100);
    }
    const s = spaprVlanStats(fx.dev, 'net0');
    expect(s).toMatchObject({
      id: 'net0', unitAddress: U, mac: '52:54:00:aa:bb:cc', open: true, rxBufferPools: true, rxBuffers: 1,
    });
    expect(s.counters).toMatchObject({ rxFrames: 3n, rxBytes: 1200n, rxNoBuffer: 0n, txFrames: 0n });
    expect(s.pools).toEqual([
      { index: 0, bufferSize: 512, buffers: 0, counters: { posted: 1n, hits: 1n, fallbacks: 0n, wastedBytes: 404n, dropped: 0n } },
      { index: 1, bufferSize: 2048, buffers: 1, counters: { posted: 3n, hits: 2n, fallbacks: 1n, wastedBytes: 1040n + 1940n, dropped: 0n } },
    ]);
    expect(s.bufferSizes).toEqual([]);
  });

  it('legacy mode: no pools, telemetry listed per buffer size', () => {
    const fx = fixture({ useRxBufferPools: false });
    fx.reg();
    fx.mapRange(0x10000, 0x4000);
    expect(fx.add(1536, 0x10000)).toBe(0n);
    for (const n of [60, 60]) {
      fx.dev.deliver(fx.frame(n));
      fx.advanceUs(100);
    }
    const s = spaprVlanStats(fx.dev, 'lan');
    expect(s.rxBufferPools).toBe(false);
    expect(s.pools).toEqual([]);
    expect(s.bufferSizes).toEqual([{ size: 1536, counters: { posted: 1n, hits: 1n, fallbacks: 0n, wastedBytes: 1536n - 8n - 60n, dropped: 0n } }]);
    expect(s.counters.rxFrames).toBe(1n);
    expect(s.counters.interrupts).toBe(fx.dev.irqPulses);
    expect(fx.dev.pendingCount).toBe(1); // the second frame waits for a buffer (QEMU can_receive)
  });
});
