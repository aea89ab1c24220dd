// query-migrate's answer: QEMU's MigrationInfo shape from a job's status. host-ts/qmp's
// migrationHooks (migrate, run states) answers query-migrate with it.
import type { JsonObject } from '../qmp/json-value.js';
import type { MigrationStatus } from './status.js';

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
