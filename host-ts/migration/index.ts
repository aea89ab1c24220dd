// Public migration API: snapshots (save/load), live migration (migrate/incoming), dirty tracking,
// the stream format description, and the hooks a device module registers for its state block.
export { saveMachine, saveMachineTo, saveMachineToFile, loadMachine, loadMachineFrom, loadMachineFromFile, type LoadResult } from './snapshot.js';
export { MigrationError } from './errors.js';
export { describeStreamFormat, STREAM_MAGIC, STREAM_VERSION, LIMITS } from './format.js';
export { registerBlockHooks, registerRegionMigration, type BlockHooks, type ValidateContext, type StagedMachine } from './registry.js';
export { startDirtyTracking, stopDirtyTracking, takeDirtyPages, markDirtyRange, countDirtyPages, type MachineLike } from './dirty.js';
export { migrate, incoming, MigrationJob, IncomingJob, type MigrateOptions, type IncomingOptions } from './live.js';
export { parseMigrationUri, formatMigrationUri, type MigrationUri } from './transport.js';
export { type MigrationStatus, type MigrationState, type Migratable, type RunLoop, runLoopControl } from './status.js';
export { toMigrationInfo } from './qmp-hooks.js';
