// The package entry for plain Node (no TypeScript loader): registers tsx, as bin/pseries-wasm.js
// does, then re-exports the API of host-ts/index.ts. Types: types/host-ts/index.d.ts (npm run build:types).
import { register } from 'tsx/esm/api';

register();
const api = await import('./host-ts/index.ts');

export const {
  createVm, Vm, createVmWorker, WorkerVm, WorkerNet,
  VmError, VmConfigError, VmBootError, VmNetdevError, VmStateError, VmWorkerError,
  packFrames, unpackFrames, resolveConfig, ConfigError, parseArgs, CliError,
  Runner, createPseries, PseriesMachine, Machine, MetricsRegistry, renderExposition, CONTENT_TYPE,
} = api;
