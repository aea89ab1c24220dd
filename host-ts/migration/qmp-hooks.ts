// The QMP face of migration (host-ts/qmp MigrationHooks): `migrate` starts a background migration
// (QEMU returns at once and reports progress through query-migrate), `query-migrate` returns
// QEMU's MigrationInfo shape from the job's status.
import type { MigrationHooks } from '../qmp/qmp-target.js';
import type { JsonObject } from '../qmp/json-value.js';
import { migrate, type MigrationJob, type MigrateOptions } from './live.js';
import { parseMigrationUri } from './transport.js';
import type { MigrationStatus } from './status.js';
import type { MachineLike } from './dirty.js';

const ACTIVE = new Set(['setup', 'active', 'device']);

/** QEMU MigrationInfo (qapi/migration.json) from a status. Times in ms, sizes in bytes. */
export function toMigrationInfo(s: MigrationStatus): JsonObject {
  const info: JsonObject = { status: s.status };
  if (s.status === 'none') return {};
  info['total-time'] = Math.round(s.totalTimeMs);
  if (s.setupTimeMs !== undefined) info['setup-time'] = Math.round(s.setupTimeMs);
  if (s.downtimeMs !== undefined) info['downtime'] = Math.round(s.downtimeMs);
  const secs = Math.max(s.totalTimeMs / 1000, 1e-3);
  info.ram = {
    transferred: s.transferredBytes,
    remaining: s.ram.remaining * 4096,
    total: s.ram.total,
    duplicate: s.ram.duplicate,
    skipped: 0,
    normal: s.ram.normal,
    'normal-bytes': s.ram.transferred,
    'dirty-pages-rate': s.ram.dirtyPagesRate,
    'dirty-sync-count': s.ram.dirtySyncCount,
    'page-size': 4096,
    mbps: Math.round((s.transferredBytes * 8) / 1e6 / secs * 1000) / 1000,
  };
  if (s.cpuThrottlePercentage !== undefined) info['cpu-throttle-percentage'] = s.cpuThrottlePercentage;
  if (s.errorDesc !== undefined) info['error-desc'] = s.errorDesc;
  return info;
}

/** One machine's outgoing migrations, for the QMP server (`QmpTarget.migration`). */
export class MigrationController implements MigrationHooks {
  private job: MigrationJob | undefined;

  constructor(private readonly machine: MachineLike, private readonly opts: MigrateOptions = {}) {}

  /** The current or last job. */
  get current(): MigrationJob | undefined { return this.job; }

  migrate(uri: string, opts: { detach?: boolean; resume?: boolean } = {}): void {
    if (this.job && ACTIVE.has(this.job.status().status)) throw new Error("There's a migration process in progress");
    if (opts.resume) throw new Error('Cannot resume if there is no paused migration');
    let kind: string;
    try {
      kind = parseMigrationUri(uri).kind;
    } catch {
      throw new Error("Parameter 'uri' expects a valid migration protocol");
    }
    if (kind === 'defer') throw new Error("Parameter 'uri' expects a valid migration protocol");
    this.job = migrate(this.machine, uri, this.opts);
  }

  queryMigrate(): JsonObject {
    return this.job ? toMigrationInfo(this.job.status()) : {};
  }
}
