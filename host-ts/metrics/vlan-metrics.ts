// spapr-vlan telemetry as Prometheus families: counters per device and per RX pool (labels
// device, pool), gauges for buffers held. Names: pseries_vlan_<counter>_total,
// pseries_vlan_pool_<counter>_total, from the device's camelCase counter names.
import type { MetricFamily, Sample } from './exposition.js';
import type { VlanDeviceStats } from '../telemetry/vlan-stats.js';

/** rxNoBuffer -> rx_no_buffer */
export const snake = (s: string) => s.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

/** HELP texts of the counters we know; others get a generic text naming the counter. */
const COUNTER_HELP: Record<string, string> = {
  rxFrames: 'Frames delivered to the guest',
  rxBytes: 'Bytes delivered to the guest',
  rxNoBuffer: 'Frames dropped because no RX buffer was posted',
  rxNoFit: 'Frames dropped because no posted RX buffer was large enough',
  rxClosedDropped: 'Frames dropped because the device was not open',
  rxDmaDropped: 'Frames dropped because a DMA to the guest failed',
  rxOversizeDropped: 'Frames dropped for exceeding the maximum frame size',
  rxPendingOverflow: 'Frames dropped because the host pending queue was full',
  txFrames: 'Frames transmitted by the guest',
  txBytes: 'Bytes transmitted by the guest',
  txErrors: 'Transmit requests rejected',
  interrupts: 'Interrupts raised',
  posted: 'RX buffers posted by the guest',
  hits: 'Frames received into a buffer',
  fallbacks: 'Frames that took a larger buffer because the fitting pool was empty',
  wastedBytes: 'Bytes of buffer left unused by received frames',
  dropped: 'Frames lost after taking a buffer',
};

const help = (name: string, scope: string) => `${COUNTER_HELP[name] ?? `spapr-vlan counter ${name}`} (${scope})`;

/** Families in a fixed order: device gauges, device counters, pool gauges, pool counters, buffer-size
 *  counters (devices by unit address). */
export function vlanFamilies(devices: VlanDeviceStats[]): MetricFamily[] {
  const sorted = [...devices].sort((a, b) => a.unitAddress - b.unitAddress);
  const families = new Map<string, MetricFamily>();
  const add = (name: string, type: 'counter' | 'gauge', helpText: string, sample: Sample) => {
    let f = families.get(name);
    if (!f) families.set(name, (f = { name, help: helpText, type, samples: [] }));
    f.samples.push(sample);
  };
  for (const d of sorted) {
    const labels = { device: d.id };
    add('pseries_vlan_open', 'gauge', 'Whether the guest has registered the device (H_REGISTER_LOGICAL_LAN)', { labels, value: d.open ? 1 : 0 });
    add('pseries_vlan_rx_buffers', 'gauge', 'RX buffers currently posted by the guest', { labels, value: d.rxBuffers });
  }
  for (const d of sorted) {
    for (const [k, v] of Object.entries(d.counters)) {
      add(`pseries_vlan_${snake(k)}_total`, 'counter', help(k, 'per device'), { labels: { device: d.id }, value: v });
    }
  }
  for (const d of sorted) {
    for (const p of d.pools) {
      const labels = { device: d.id, pool: String(p.index) };
      add('pseries_vlan_pool_buffers', 'gauge', 'RX buffers currently held by the pool', { labels, value: p.buffers });
      add('pseries_vlan_pool_buffer_size_bytes', 'gauge', 'Buffer size of the pool', { labels, value: p.bufferSize });
    }
  }
  for (const d of sorted) {
    for (const p of d.pools) {
      for (const [k, v] of Object.entries(p.counters)) {
        add(`pseries_vlan_pool_${snake(k)}_total`, 'counter', help(k, 'per RX buffer pool'), { labels: { device: d.id, pool: String(p.index) }, value: v });
      }
    }
  }
  for (const d of sorted) {
    for (const b of d.bufferSizes) {
      for (const [k, v] of Object.entries(b.counters)) {
        add(`pseries_vlan_buffer_size_${snake(k)}_total`, 'counter', help(k, 'per RX buffer size outside pools'), { labels: { device: d.id, size: String(b.size) }, value: v });
      }
    }
  }
  return [...families.values()];
}

/** A registry collector over a telemetry source, e.g. `registry.register(vlanCollector(() => target.vlanStats()), {labels: {machine: 'vm1'}})`. */
export const vlanCollector = (source: () => VlanDeviceStats[]) => (): MetricFamily[] => vlanFamilies(source());
