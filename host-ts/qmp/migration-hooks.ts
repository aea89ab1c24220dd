// QMP migrate / query-migrate over the migration engine (host-ts/migration) with QEMU's run-state
// handling: one migration at a time, STOP into finish-migrate at stop-and-copy, postmigrate after
// success, RESUME after a failure. The MigrationInfo shape comes from host-ts/migration/qmp-hooks.
import type { MigrationHooks } from './qmp-target.js';
import type { RunStateTracker } from './run-state.js';
import type { MigrationStatus, Migratable } from '../migration/status.js';
import { toMigrationInfo } from '../migration/qmp-hooks.js';
import { migrate } from '../migration/live.js';
import { parseMigrationUri } from '../migration/transport.js';
import type { MachineLike } from '../migration/dirty.js';

export type MigrationControl = Migratable;

export interface MigrationJobLike {
  status(): MigrationStatus;
  readonly done: Promise<MigrationStatus>;
}

export type StartMigration = (uri: string, control: MigrationControl) => MigrationJobLike;

const ACTIVE = new Set(['setup', 'active', 'device']);

/** The engine's outgoing migration of `machine` (live over tcp:/unix:, or to file:). */
export const engineMigration = (machine: MachineLike): StartMigration => (uri, control) => migrate(machine, uri, { control });

/** QEMU's answer to a URI the engine cannot send to (checked before anything starts). */
export function checkMigrationUri(uri: string): void {
  let kind: string;
  try {
    kind = parseMigrationUri(uri).kind;
  } catch {
    kind = 'invalid';
  }
  if (kind === 'invalid' || kind === 'defer') throw new Error("Parameter 'uri' expects a valid migration protocol");
}

export function migrationHooks(runState: RunStateTracker, start: StartMigration, validate: (uri: string) => void = checkMigrationUri): MigrationHooks {
  let job: MigrationJobLike | undefined;
  const control: MigrationControl = {
    pause: () => runState.migrationPause(),
    resume: () => runState.migrationResume(),
    get isRunning() {
      return runState.running;
    },
  };
  return {
    migrate(uri, opts) {
      if (job && ACTIVE.has(job.status().status)) throw new Error("There's a migration process in progress");
      if (opts.resume) throw new Error('Cannot resume if there is no paused migration');
      validate(uri);
      const j = start(uri, control);
      job = j;
      j.done.then((st) => {
        if (st.status === 'completed') runState.migrationCompleted();
        else runState.migrationResume();
      }, () => runState.migrationResume());
    },
    queryMigrate: () => (job ? toMigrationInfo(job.status()) : {}),
  };
}
