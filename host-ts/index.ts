// The package's public API (import from 'pseries-wasm'): machines from a MachineConfig in this
// thread (createVm) or in a worker thread (createVmWorker), the config and its CLI parser, typed
// errors, the metrics registry, and the lower layers for tests and tools.
export { createVm, Vm, type VmOptions, type VmExit, type VmStats, type VmNet, type VmHandle, type LinkEvent } from './vm/vm.js';
export { createVmWorker, WorkerVm, WorkerNet } from './vm/vm-worker.js';
export type { WorkerVmOptions } from './vm/worker-protocol.js';
export { VmError, VmConfigError, VmBootError, VmNetdevError, VmStateError, VmWorkerError, type VmErrorCode } from './vm/errors.js';
export { packFrames, unpackFrames } from './vm/frame-batch.js';
export {
  resolveConfig, ConfigError, type MachineConfig, type MachineConfigInput, type NetdevConfig, type NicConfig,
  type ChardevConfig, type VtyConfig, type FilterDumpConfig, type QmpConfig,
} from './config/machine-config.js';
export { parseArgs, CliError } from './cli/parse-args.js';
export { Runner, type RunnerOptions, type RunEnd, type StopReason, type IdleMode, type UnimplementedEntry } from './machine/runner.js';
export { createPseries, PseriesMachine, type PseriesBootOptions } from './machine/pseries.js';
export { Machine, type MachineOptions } from './machine/machine.js';
export { MetricsRegistry, renderExposition, CONTENT_TYPE, type MetricFamily } from './metrics/index.js';
export type { VlanDeviceStats, VlanPoolStats } from './telemetry/vlan-stats.js';
export type { RunState, QmpEvent } from './qmp/qmp-target.js';
export type { NetBackend, NetBackendStats } from './net/net-port.js';
