// Per-block migration hooks, registered by block name (a device module registers its own):
// which instances a machine uses, the subsection "needed" predicates, and the load validator
// that checks a staged instance before anything is committed (spec 7 recommendations, Q14).
// Raw regions that migrate (TCE tables) are described here too. Everything else about the stream
// comes from the state declaration itself (host-ts/layout).
import type { BlockView, MemoryLike } from '../layout/state-view.js';
import type { ScalarType } from '../layout/schema.js';
import { MEMORY_MAP } from '../layout/memory-map.js';

/** The staged destination: stream values over a copy of the destination, before commit. */
export interface StagedMachine {
  readonly ramSize: number;
  /** The destination machine's memory (unchanged until commit). */
  readonly destMemory: MemoryLike;
  /** Staged view of a block instance (the stream's values where the stream carried them). */
  view(block: string, index?: number): BlockView;
  /** The destination's current view (unchanged until commit). */
  destView(block: string, index?: number): BlockView;
  /** Big-endian u64 at guest real address `ra` of the staged RAM; undefined outside RAM. */
  readRamBe64(ra: bigint): bigint | undefined;
  /** Staged contents of a migrated region instance (host byte order, as in Wasm memory). */
  regionBytes(region: string, index: number): Uint8Array | undefined;
  /** Subsections the stream carried for a block instance. */
  subsectionsOf(block: string, index: number): ReadonlySet<string>;
  /** Whether the stream carried a section for this block instance. */
  hasSection(block: string, index: number): boolean;
}

export interface ValidateContext {
  readonly index: number;
  /** "vlan[0]": the prefix of every error about this instance. */
  readonly path: string;
  readonly staged: BlockView;
  readonly dest: BlockView;
  readonly subsections: ReadonlySet<string>;
  readonly machine: StagedMachine;
}

export interface BlockHooks {
  /** Instances the machine uses; the source sends them, the destination requires them. Default: all. */
  inUse?: (mem: MemoryLike, index: number) => boolean;
  /** Subsection "needed" predicates by name, evaluated on the source. Default: a field of that name != 0. */
  needed?: Record<string, (v: BlockView) => boolean>;
  /** Checks a staged instance; throws MigrationError naming the field. Runs before 'equal' checks. */
  validate?: (ctx: ValidateContext) => void;
  /** Runs on the destination after the commit, for each instance the stream carried (e.g. arm a timer). */
  postLoad?: (mem: MemoryLike, index: number, subsections: ReadonlySet<string>) => void;
}

export interface RegionValidateContext {
  readonly index: number;
  readonly path: string;
  readonly bytes: Uint8Array;
  readonly machine: StagedMachine;
}

/** A raw memory region (memory-map regionDecls) whose contents migrate. */
export interface RegionMigration {
  region: string;
  version: number;
  /** Element type: the region is an array of these, sent big-endian as sparse runs of non-zero elements. */
  elem: ScalarType;
  inUse: (mem: MemoryLike, index: number) => boolean;
  /**
   * Byte ranges [start, end) of the instance to send as they are (e.g. the live window of a ring);
   * absent = the whole region, as sparse runs of non-zero elements. Bytes not sent arrive as zero.
   */
  ranges?: (mem: MemoryLike, index: number) => [number, number][];
  validate?: (ctx: RegionValidateContext) => void;
  doc: string;
}

const blockHooks = new Map<string, BlockHooks>();
const regionMigrations = new Map<string, RegionMigration>();

/** Adds hooks for a block; a later registration of the same hook kind replaces the earlier one. */
export function registerBlockHooks(block: string, hooks: BlockHooks): void {
  const prev = blockHooks.get(block) ?? {};
  blockHooks.set(block, {
    ...prev,
    ...hooks,
    needed: { ...prev.needed, ...hooks.needed },
  });
}

export function hooksOf(block: string): BlockHooks {
  return blockHooks.get(block) ?? {};
}

export function registerRegionMigration(r: RegionMigration): void {
  regionMigrations.set(r.region, r);
}

export function regionMigration(name: string): RegionMigration | undefined {
  return regionMigrations.get(name);
}

/** Migrated regions in memory-map order (the order the source sends them). */
export function migratedRegions(): RegionMigration[] {
  const order = [...MEMORY_MAP.regions.keys()];
  return [...regionMigrations.values()].sort((a, b) => order.indexOf(a.region) - order.indexOf(b.region));
}
