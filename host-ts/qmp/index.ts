// Public QMP API for embedders and the CLI.
export { QmpServer, startQmpServers, DEFAULT_VERSION, type QmpServerOptions } from './qmp-server.js';
export { MachineQmpTarget, type MachineRunner, type MachineTargetOptions } from './machine-target.js';
export { SliceRunner, type SliceMachine, type SliceRunnerOptions } from './slice-runner.js';
export { runControlled, type ControlledMachine, type ControlConfig, type ControlOptions, type ControlledRun, type RunEnd } from './run-controlled.js';
export { migrationHooks, engineMigration, checkMigrationUri, type MigrationControl, type MigrationJobLike, type StartMigration } from './migration-hooks.js';
export { RunStateTracker, NEEDS_RESET, type RunStateHooks, type ShutdownCause, type ResetCause } from './run-state.js';
export { parseSocketAddress, fromQmpConfig, AddressError, type SocketAddress } from './qmp-address.js';
export { QmpError, type QmpErrorClass } from './qmp-error.js';
export type { QmpTarget, QmpEvent, QmpEventListener, MigrationHooks, RunState } from './qmp-target.js';
export type { QmpVersion } from './qmp-commands.js';
