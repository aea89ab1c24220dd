// Per-device, per-pool telemetry of spapr-vlan devices, in one shape shared by QMP
// (query-vlan-stats) and Prometheus metrics. The device half fills it from its state block and
// counters; consumers never read device state themselves.

/** Monotonic counters, camelCase names for what they count (e.g. rxFrames, rxNoBuffer, txBytes). */
export type CounterSet = Record<string, number | bigint>;

export interface VlanPoolStats {
  /** Pool index 0..4 in ascending buffer-size order (spec 4.5). */
  index: number;
  /** Buffer size of the pool in bytes (spec 4.5). */
  bufferSize: number;
  /** Descriptors currently held by the pool (a gauge). */
  buffers: number;
  /** Telemetry of buffers of this pool's size: posted, hits, fallbacks, wastedBytes, dropped. */
  counters: CounterSet;
}

/** Telemetry of one buffer size that is not a current pool's size (legacy mode, or a freed pool). */
export interface VlanBufferSizeStats {
  size: number;
  counters: CounterSet;
}

export interface VlanDeviceStats {
  /** -device id= (or the generated name), used as the `device` label. */
  id: string;
  /** VIO unit address (reg), e.g. 0x71000000. */
  unitAddress: number;
  /** MAC address as aa:bb:cc:dd:ee:ff. */
  mac: string;
  /** True between H_REGISTER_LOGICAL_LAN and H_FREE_LOGICAL_LAN (spec 4.1). */
  open: boolean;
  /** Property use-rx-buffer-pools (spec 6.1). */
  rxBufferPools: boolean;
  /** RX buffers currently held by the device, both modes (a gauge). */
  rxBuffers: number;
  counters: CounterSet;
  /** Pools in use (empty in legacy mode). */
  pools: VlanPoolStats[];
  /** Per-buffer-size telemetry for sizes not shown under `pools` (so nothing is counted twice). */
  bufferSizes: VlanBufferSizeStats[];
}
