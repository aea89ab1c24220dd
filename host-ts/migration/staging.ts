// The staged destination of a load: the stream is decoded here, validated as a whole, and only
// then committed to the machine in one step, so a stream refused at any point leaves the
// destination exactly as it was (Firecracker restores from a fully parsed snapshot the same way).
import { MEMORY_MAP, RAM_BASE } from '../layout/memory-map.js';
import { view, type BlockView, type MemoryLike } from '../layout/state-view.js';
import { copyFields } from './codec.js';
import { PAGE, type WireBlock } from './format.js';
import { hooksOf, regionMigration, type StagedMachine } from './registry.js';
import type { MachineLike } from './dirty.js';

/** Page states in the staging map. */
export const PAGE_ABSENT = 0;
export const PAGE_DATA = 1;
export const PAGE_ZERO = 2;

export interface StagedSection {
  wire: WireBlock;
  index: number;
  version: number;
  subsections: Set<string>;
}

const key = (name: string, index: number): string => `${name}#${index}`;

/** End of the last state block: the staging copy covers [0, blocksEnd) with the same hoffs. */
const blocksEnd = Math.max(...[...MEMORY_MAP.blocks.values()].map((b) => b.base + b.stride * b.instances));
const blocksStart = Math.min(...[...MEMORY_MAP.blocks.values()].map((b) => b.base));

export class Staging implements StagedMachine {
  readonly ramSize: number;
  readonly pages: number;
  /** Copy of the destination's state blocks, overwritten by the stream's fields. */
  readonly state: MemoryLike;
  private readonly stateBytes: Uint8Array;
  /** Staged RAM, allocated on the first RAM_DATA record (zero-filled lazily by the OS). */
  ram: Uint8Array | undefined;
  readonly pageState: Uint8Array;
  readonly sections = new Map<string, StagedSection>();
  readonly regions = new Map<string, { region: string; index: number; bytes: Uint8Array; runs: [number, number][] }>();

  constructor(readonly dest: MachineLike) {
    this.ramSize = dest.ramSize;
    this.pages = dest.ramSize / PAGE;
    const buffer = new ArrayBuffer(blocksEnd);
    this.stateBytes = new Uint8Array(buffer);
    this.stateBytes.set(new Uint8Array(dest.memory.buffer, blocksStart, blocksEnd - blocksStart), blocksStart);
    this.state = { buffer };
    this.pageState = new Uint8Array(this.pages);
  }

  stagedRam(): Uint8Array {
    this.ram ??= new Uint8Array(this.ramSize);
    return this.ram;
  }

  get stateImage(): Uint8Array { return this.stateBytes; }

  /**
   * Makes the OS commit the destination's pages [first, first+count) ahead of the commit without
   * changing a byte: one word per page is written back with its own value (a fresh destination's
   * RAM is untouched, so the final copy would otherwise page-fault inside the downtime).
   */
  prefault(first: number, count: number): void {
    // first + count <= pages (checked by the decoder), so the view lies inside guest RAM.
    const words = new Int32Array(this.dest.memory.buffer, RAM_BASE + first * PAGE, (count * PAGE) >> 2);
    for (let i = 0; i < words.length; i += PAGE >> 2) words[i] = words[i];
  }

  section(name: string, index: number): StagedSection | undefined {
    return this.sections.get(key(name, index));
  }

  addSection(s: StagedSection): void {
    this.sections.set(key(s.wire.layout.name, s.index), s);
  }

  /** A staged region instance: its full image and the byte runs [start, end) the stream carried. */
  addRegion(region: string, index: number, bytes: Uint8Array, runs: [number, number][]): void {
    this.regions.set(key(region, index), { region, index, bytes, runs });
  }

  hasRegion(region: string, index: number): boolean {
    return this.regions.has(key(region, index));
  }

  // ---- StagedMachine (what validators see)
  get destMemory(): MemoryLike { return this.dest.memory; }
  view(block: string, index = 0): BlockView { return view(this.state, block, index); }
  destView(block: string, index = 0): BlockView { return view(this.dest.memory, block, index); }
  hasSection(block: string, index: number): boolean { return this.sections.has(key(block, index)); }
  subsectionsOf(block: string, index: number): ReadonlySet<string> {
    return this.sections.get(key(block, index))?.subsections ?? new Set();
  }
  regionBytes(region: string, index: number): Uint8Array | undefined {
    return this.regions.get(key(region, index))?.bytes;
  }
  readRamBe64(ra: bigint): bigint | undefined {
    if (ra < 0n || ra + 8n > BigInt(this.ramSize)) return undefined;
    const a = Number(ra);
    let v = 0n;
    for (let k = 0; k < 8; k++) {
      const st = this.pageState[Math.floor((a + k) / PAGE)];
      const byte = st === PAGE_DATA ? this.ram![a + k]
        : st === PAGE_ZERO ? 0
        : new Uint8Array(this.dest.memory.buffer)[RAM_BASE + a + k]; // a + k < ramSize: inside RAM
      v = (v << 8n) | BigInt(byte);
    }
    return v;
  }

  /** Writes everything staged into the destination. Cannot fail: all checks ran before. */
  commit(): void {
    const mem = new Uint8Array(this.dest.memory.buffer);
    for (const s of this.sections.values()) {
      const base = s.wire.layout.base + s.index * s.wire.layout.stride;
      copyFields(this.stateBytes, mem, base, s.wire.main);
      for (const sub of s.wire.subsections) {
        if (s.subsections.has(sub.decl.name)) copyFields(this.stateBytes, mem, base, sub.fields);
      }
    }
    for (const r of this.regions.values()) {
      const layout = MEMORY_MAP.regions.get(r.region)!;
      const base = layout.base + r.index * layout.stride;
      // Sparse regions (TCE tables) are whole images: zeros not sent are zeros. Ranged regions
      // (a ring's live window) only carry meaning inside the runs.
      if (regionMigration(r.region)?.ranges) for (const [a, b] of r.runs) mem.set(r.bytes.subarray(a, b), base + a);
      else mem.set(r.bytes, base);
    }
    // RAM in runs of equal page state; pages end at ramSize, inside the memory.
    let p = 0;
    while (p < this.pages) {
      const st = this.pageState[p];
      let n = 1;
      while (p + n < this.pages && this.pageState[p + n] === st) n++;
      const at = RAM_BASE + p * PAGE;
      if (st === PAGE_DATA) mem.set(this.ram!.subarray(p * PAGE, (p + n) * PAGE), at);
      else if (st === PAGE_ZERO) mem.fill(0, at, at + n * PAGE);
      p += n;
    }
    this.afterCommit();
  }

  private afterCommit(): void {
    for (const s of this.sections.values()) {
      hooksOf(s.wire.layout.name).postLoad?.(this.dest.memory, s.index, s.subsections);
    }
  }
}
