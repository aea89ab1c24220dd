// The command table: name, argument schema, handler. Return shapes follow QEMU 7.2's QAPI
// schema (query-status has the deprecated `singlestep` member in 7.2); query-vlan-stats is ours.
import { checkArgs, type ArgsSchema } from './qmp-args.js';
import { genericError } from './qmp-error.js';
import type { JsonObject, JsonValue } from './json-value.js';
import type { QmpTarget } from './qmp-target.js';
import { NEEDS_RESET } from './run-state.js';
import type { VlanDeviceStats } from '../telemetry/vlan-stats.js';

export interface QmpVersion {
  major: number;
  minor: number;
  micro: number;
  /** Free text, e.g. "pseries-wasm 0.1.0" (QEMU: the distribution package version). */
  package: string;
}

export interface CommandContext {
  target: QmpTarget;
  version: QmpVersion;
  /** Names of the commands available after negotiation, in table order. */
  commandNames(): string[];
}

export interface QmpCommand {
  name: string;
  args: ArgsSchema;
  run(ctx: CommandContext, args: JsonObject): JsonValue | Promise<JsonValue>;
  /** Present only when the target supports it (e.g. migrate needs a migration engine). */
  available?(target: QmpTarget): boolean;
}

/** camelCase -> kebab-case, the QAPI member style (rxNoBuffer -> rx-no-buffer). */
export const kebab = (s: string) => s.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

function counters(set: Record<string, number | bigint>): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(set)) out[kebab(k)] = v;
  return out;
}

/** The query-vlan-stats return value: one VlanStats object per device, sorted by unit address. */
export function vlanStatsToQmp(devices: VlanDeviceStats[]): JsonValue {
  return [...devices]
    .sort((a, b) => a.unitAddress - b.unitAddress)
    .map((d) => ({
      device: d.id,
      'unit-address': d.unitAddress,
      mac: d.mac,
      open: d.open,
      'rx-buffer-pools': d.rxBufferPools,
      'rx-buffers': d.rxBuffers,
      counters: counters(d.counters),
      pools: d.pools.map((p) => ({
        index: p.index,
        'buffer-size': p.bufferSize,
        buffers: p.buffers,
        counters: counters(p.counters),
      })),
      'buffer-sizes': d.bufferSizes.map((b) => ({ size: b.size, counters: counters(b.counters) })),
    }));
}

const MIGRATE_ARGS: ArgsSchema = {
  uri: { type: 'str' },
  blk: { type: 'bool', optional: true },
  inc: { type: 'bool', optional: true },
  detach: { type: 'bool', optional: true },
  resume: { type: 'bool', optional: true },
};

/** Commands after negotiation. qmp_capabilities is handled by the session (it changes mode). */
export const COMMANDS: QmpCommand[] = [
  {
    name: 'query-version',
    args: {},
    run: ({ version: v }) => ({ qemu: { micro: v.micro, minor: v.minor, major: v.major }, package: v.package }),
  },
  {
    name: 'query-status',
    args: {},
    run: ({ target }) => {
      const status = target.status();
      return { status, singlestep: false, running: status === 'running' };
    },
  },
  {
    name: 'stop',
    args: {},
    run: ({ target }) => {
      target.stop();
      return {};
    },
  },
  {
    name: 'cont',
    args: {},
    run: ({ target }) => {
      const s = target.status();
      if (NEEDS_RESET.has(s)) throw genericError('Resetting the Virtual Machine is required');
      if (s === 'finish-migrate') throw genericError('Migration is not finalized yet');
      target.cont();
      return {};
    },
  },
  {
    name: 'system_reset',
    args: {},
    run: ({ target }) => {
      target.reset();
      return {};
    },
  },
  {
    name: 'quit',
    args: {},
    run: ({ target }) => {
      target.quit();
      return {};
    },
  },
  {
    name: 'query-commands',
    args: {},
    run: (ctx) => ctx.commandNames().map((name) => ({ name })),
  },
  {
    name: 'query-vlan-stats',
    args: {},
    run: ({ target }) => vlanStatsToQmp(target.vlanStats()),
  },
  {
    name: 'migrate',
    args: MIGRATE_ARGS,
    available: (t) => t.migration !== undefined,
    run: async ({ target }, args) => {
      const hooks = target.migration!;
      try {
        await hooks.migrate(args.uri as string, {
          detach: args.detach as boolean | undefined,
          resume: args.resume as boolean | undefined,
        });
      } catch (e) {
        throw genericError(e instanceof Error ? e.message : String(e));
      }
      return {};
    },
  },
  {
    name: 'migrate-incoming',
    args: { uri: { type: 'str' } },
    available: (t) => t.migration?.migrateIncoming !== undefined,
    run: ({ target }, args) => {
      try {
        target.migration!.migrateIncoming!(args.uri as string);
      } catch (e) {
        throw genericError(e instanceof Error ? e.message : String(e));
      }
      return {};
    },
  },
  {
    name: 'query-migrate',
    args: {},
    run: ({ target }) => target.migration?.queryMigrate() ?? {},
  },
];
