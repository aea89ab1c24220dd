// The memory map of the one WebAssembly.Memory: AS data, state blocks, raw regions, guest RAM.
// Declared once here; scripts/gen-layout.ts emits the same numbers for core-as.
import { alignUp, layoutFields, type BlockDecl, type BlockLayout, type RegionDecl, type RegionLayout } from './schema.js';
import { machineState } from './machine-state.js';
import { cpuState } from './cpu-state.js';
import { vioState, MAX_VIO_DEVICES } from './vio-state.js';
import { vlanState, MAX_VLAN_DEVICES } from './vlan-state.js';

export const WASM_PAGE = 0x10000;
/** Bytes reserved at hoff 0 for AssemblyScript static data and stack (checked at load). */
export const AS_RESERVED = 0x100000;
/** Largest guest RAM accepted by -m: keeps RAM_BASE + ramSize inside wasm32's 4 GiB. */
export const MAX_RAM_SIZE = 3 * 1024 * 1024 * 1024;
export const GUEST_PAGE = 4096;

export const TCE_WINDOW_ENTRIES = 0x10000; // 256 MiB window / 4 KiB (spec 1.3)

export const blockDecls: BlockDecl[] = [machineState, cpuState, vioState, vlanState];

export const regionDecls: RegionDecl[] = [
  { name: 'tceTable', size: TCE_WINDOW_ENTRIES * 8, instances: MAX_VIO_DEVICES, align: 4096,
    doc: 'per VIO slot: 65536 TCEs, u64 each, host byte order (spec 1.3, 3.6)' },
  { name: 'rxStage', size: 4 * 1024 * 1024, instances: MAX_VLAN_DEVICES, align: 4096,
    doc: 'per vlan: ring of pending received frames {u32 len, u32 0, bytes, pad to 8} (spec 4.2 pending)' },
  { name: 'txStage', size: 1024 * 1024, instances: MAX_VLAN_DEVICES, align: 4096,
    doc: 'per vlan: transmitted frames {u32 len, u32 0, bytes, pad to 8}, drained by the host' },
  { name: 'dirtyBitmap', size: MAX_RAM_SIZE / GUEST_PAGE / 8, instances: 1, align: 4096,
    doc: 'one bit per 4 KiB guest page written since the last migration pass' },
  { name: 'scratch', size: 0x20000, instances: 1, align: 4096,
    doc: 'bounce buffer for one frame (64 KiB + slack) used by the TX gather' },
];

export interface MemoryMap {
  blocks: Map<string, BlockLayout>;
  regions: Map<string, RegionLayout>;
  /** hoff of guest real address 0. */
  ramBase: number;
}

function buildMap(): MemoryMap {
  let at = AS_RESERVED;
  const blocks = new Map<string, BlockLayout>();
  for (const b of blockDecls) {
    const { laidOut, size } = layoutFields(b);
    const stride = alignUp(size, 64);
    at = alignUp(at, 64);
    blocks.set(b.name, { ...b, base: at, stride, laidOut, fieldsByName: new Map(laidOut.map((f) => [f.name, f])) });
    at += stride * b.instances;
  }
  const regions = new Map<string, RegionLayout>();
  for (const r of regionDecls) {
    const stride = alignUp(r.size, r.align);
    at = alignUp(at, r.align);
    regions.set(r.name, { ...r, base: at, stride });
    at += stride * r.instances;
  }
  return { blocks, regions, ramBase: alignUp(at, 0x100000) };
}

export const MEMORY_MAP: MemoryMap = buildMap();
export const RAM_BASE = MEMORY_MAP.ramBase;

export function block(name: string): BlockLayout {
  const b = MEMORY_MAP.blocks.get(name);
  if (!b) throw new Error(`no state block '${name}'`);
  return b;
}

export function region(name: string): RegionLayout {
  const r = MEMORY_MAP.regions.get(name);
  if (!r) throw new Error(`no memory region '${name}'`);
  return r;
}

/** Wasm pages for a machine with `ramSize` bytes of guest RAM (initial == maximum). */
export function memoryPages(ramSize: number): number {
  if (!Number.isInteger(ramSize) || ramSize <= 0 || ramSize % GUEST_PAGE !== 0) {
    throw new RangeError(`guest RAM size must be a positive multiple of 4 KiB, got ${ramSize}`);
  }
  if (ramSize > MAX_RAM_SIZE) {
    throw new RangeError(`guest RAM size ${ramSize} exceeds the maximum ${MAX_RAM_SIZE} (wasm32)`);
  }
  return alignUp(RAM_BASE + ramSize, WASM_PAGE) / WASM_PAGE;
}
