// QMP migrate / query-migrate over a migration engine (host-ts/migration's live migration jobs):
// one job at a time, the run state follows QEMU (STOP in finish-migrate, postmigrate after
// success, RESUME after failure), and query-migrate answers QEMU's MigrationInfo shape.
import type { JsonObject } from './json-value.js';
import type { MigrationHooks } from './qmp-target.js';
import type { RunStateTracker } from './run-state.js';

/** The engine's status record (structurally host-ts/migration/status.ts MigrationStatus). */
export interface MigrationStatusLike {
  status: 'none' | 'setup' | 'active' | 'device' | 'completed' | 'failed' | 'cancelled';
  totalTimeMs: number;
  downtimeMs?: number;
  setupTimeMs?: number;
  transferredBytes: number;
  ram: { total: number; transferred: number; normal: number; duplicate: number; dirtyPagesRate: number; dirtySyncCount: number; remaining: number };
  /** Auto-converge throttle in percent, when the engine slowed the guest down. */
  cpuThrottlePercentage?: number;
  errorDesc?: string;
}

export interface MigrationJobLike {
  status(): MigrationStatusLike;
  readonly done: Promise<MigrationStatusLike>;
}

/** What the engine is handed to stop and restart the VM (structurally host-ts/migration Migratable). */
export interface MigrationControl {
  pause(): void;
  resume(): void;
  readonly isRunning: boolean;
}

const PAGE_SIZE = 4096;

/** QEMU's MigrationInfo for query-migrate; {} before any migration (recorded from QEMU 7.2). */
export function toMigrationInfo(st: MigrationStatusLike | undefined): JsonObject {
  if (!st || st.status === 'none') return {};
  const info: JsonObject = { status: st.status };
  if (st.status === 'setup') return info;
  const ms = (v: number) => Math.round(v);
  if (st.setupTimeMs !== undefined) info['setup-time'] = ms(st.setupTimeMs);
  if (st.downtimeMs !== undefined) info.downtime = ms(st.downtimeMs);
  info['total-time'] = ms(st.totalTimeMs);
  info.ram = {
    total: st.ram.total,
    remaining: st.ram.remaining * PAGE_SIZE,
    transferred: st.ram.transferred,
    normal: st.ram.normal,
    'normal-bytes': st.ram.normal * PAGE_SIZE,
    duplicate: st.ram.duplicate,
    'dirty-sync-count': st.ram.dirtySyncCount,
    'dirty-pages-rate': Math.round(st.ram.dirtyPagesRate),
    'page-size': PAGE_SIZE,
  };
  if (st.cpuThrottlePercentage !== undefined) info['cpu-throttle-percentage'] = st.cpuThrottlePercentage;
  if (st.errorDesc !== undefined && (st.status === 'failed' || st.status === 'cancelled')) info['error-desc'] = st.errorDesc;
  return info;
}

const ACTIVE = new Set(['setup', 'active', 'device']);

/**
 * `start(uri, control)` begins an outgoing migration (e.g. `new MigrationJob(machine, uri, {control})`);
 * `validate(uri)` may throw for a bad URI so that migrate answers an error at once, as QEMU does.
 */
export function migrationHooks(
  runState: RunStateTracker,
  start: (uri: string, control: MigrationControl) => MigrationJobLike,
  validate?: (uri: string) => void,
): MigrationHooks {
  let job: MigrationJobLike | undefined;
  const control: MigrationControl = {
    pause: () => runState.migrationPause(),
    resume: () => runState.migrationResume(),
    get isRunning() {
      return runState.running;
    },
  };
  return {
    migrate(uri) {
      if (job && ACTIVE.has(job.status().status)) throw new Error("There's a migration process in progress");
      validate?.(uri);
      const j = start(uri, control);
      job = j;
      j.done.then((st) => {
        if (st.status === 'completed') runState.migrationCompleted();
        else runState.migrationResume();
      }, () => runState.migrationResume());
    },
    queryMigrate: () => toMigrationInfo(job?.status()),
  };
}
