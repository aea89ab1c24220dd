// A QmpTarget without a CPU: QEMU's run-state rules (RunStateTracker) plus call counters, fixed
// VLAN telemetry and a recording migration engine.
import { RunStateTracker } from '../../host-ts/qmp/run-state.js';
import type { MigrationHooks, QmpTarget } from '../../host-ts/qmp/qmp-target.js';
import type { VlanDeviceStats } from '../../host-ts/telemetry/vlan-stats.js';
import type { JsonObject } from '../../host-ts/qmp/json-value.js';

export const FIXED_STATS: VlanDeviceStats[] = [
  {
    id: 'net1', unitAddress: 0x71000001, mac: '52:54:00:12:34:57', open: false, rxBufferPools: false, rxBuffers: 0,
    counters: { rxFrames: 0, rxBytes: 0, rxNoBuffer: 0, txFrames: 0, txBytes: 0 }, pools: [],
    bufferSizes: [{ size: 1536, counters: { posted: 10, hits: 0 } }],
  },
  {
    id: 'net0', unitAddress: 0x71000000, mac: '52:54:00:12:34:56', open: true, rxBufferPools: true, rxBuffers: 96,
    counters: { rxFrames: 1000, rxBytes: 1_514_000, rxNoBuffer: 3, txFrames: 12, txBytes: 2n ** 60n },
    pools: [
      { index: 0, bufferSize: 512, buffers: 64, counters: { hits: 900, fallbacks: 1 } },
      { index: 1, bufferSize: 2048, buffers: 32, counters: { hits: 100, fallbacks: 2 } },
    ],
    bufferSizes: [],
  },
];

export class FakeTarget implements QmpTarget {
  readonly calls = { pause: 0, resume: 0, reset: 0, powerOff: 0 };
  readonly rs: RunStateTracker;
  migrations: { uri: string; opts: object }[] = [];
  migrateInfo: JsonObject = {};
  migration?: MigrationHooks;

  constructor(opts: { startPaused?: boolean; migration?: boolean } = {}) {
    this.rs = new RunStateTracker({
      pause: () => this.calls.pause++,
      resume: () => this.calls.resume++,
      reset: () => this.calls.reset++,
      powerOff: () => this.calls.powerOff++,
    }, opts.startPaused);
    if (opts.migration !== false) {
      this.migration = {
        migrate: (uri, o) => {
          if (!/^(tcp|unix|exec|file):/.test(uri)) throw new Error(`Parameter 'uri' expects a valid migration protocol`);
          this.migrations.push({ uri, opts: o });
          this.migrateInfo = { status: 'completed', 'total-time': 5 };
        },
        queryMigrate: () => this.migrateInfo,
      };
    }
  }

  status() { return this.rs.status; }
  stop() { this.rs.stop(); }
  cont() { this.rs.cont(); }
  reset() { this.rs.reset(); }
  quit() { this.rs.shutdown('host-qmp-quit'); }
  vlanStats() { return FIXED_STATS; }
  onEvent(l: Parameters<QmpTarget['onEvent']>[0]) { return this.rs.onEvent(l); }
}
