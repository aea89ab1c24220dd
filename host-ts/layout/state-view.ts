// Host views of state blocks, built from the one declaration (schema.ts). Wasm memory is
// little-endian, so emulator state is read with DataView(..., true). Never offsets by hand.
import type { BlockLayout, FieldLayout } from './schema.js';
import { block } from './memory-map.js';

export type FieldValue = number | bigint;

/** Anything with the Wasm memory's buffer: the live memory, or a migration staging copy. */
export interface MemoryLike {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}

export class BlockView {
  readonly base: number;
  constructor(readonly memory: MemoryLike, readonly layout: BlockLayout, readonly index = 0) {
    if (index < 0 || index >= layout.instances) {
      throw new RangeError(`${layout.name}: instance ${index} out of range 0..${layout.instances - 1}`);
    }
    this.base = layout.base + index * layout.stride;
  }

  private field(name: string): FieldLayout {
    const f = this.layout.fieldsByName.get(name);
    if (!f) throw new Error(`${this.layout.name} has no field '${name}'`);
    return f;
  }

  /** hoff of a field element (for bulk copies). */
  addr(name: string, i = 0): number {
    const f = this.field(name);
    return this.base + f.offset + i * (f.size / (f.count ?? 1));
  }

  get(name: string, i = 0): FieldValue {
    const f = this.field(name);
    checkIndex(f, i);
    return readScalar(new DataView(this.memory.buffer), f.type, this.addr(name, i));
  }

  /** 64-bit fields as bigint, others as number. */
  getBig(name: string, i = 0): bigint {
    return BigInt(this.get(name, i));
  }

  getNum(name: string, i = 0): number {
    return Number(this.get(name, i));
  }

  set(name: string, v: FieldValue, i = 0): void {
    const f = this.field(name);
    checkIndex(f, i);
    writeScalar(new DataView(this.memory.buffer), f.type, this.addr(name, i), v);
  }
}

function checkIndex(f: FieldLayout, i: number): void {
  const n = f.count ?? 1;
  if (!Number.isInteger(i) || i < 0 || i >= n) throw new RangeError(`field '${f.name}' index ${i} out of range 0..${n - 1}`);
}

export function readScalar(dv: DataView, type: FieldLayout['type'], at: number): FieldValue {
  switch (type) {
    case 'u8': return dv.getUint8(at);
    case 'u16': return dv.getUint16(at, true);
    case 'u32': return dv.getUint32(at, true);
    case 'i32': return dv.getInt32(at, true);
    case 'u64': return dv.getBigUint64(at, true);
    case 'i64': return dv.getBigInt64(at, true);
  }
}

export function writeScalar(dv: DataView, type: FieldLayout['type'], at: number, v: FieldValue): void {
  switch (type) {
    case 'u8': dv.setUint8(at, Number(v)); return;
    case 'u16': dv.setUint16(at, Number(v), true); return;
    case 'u32': dv.setUint32(at, Number(v), true); return;
    case 'i32': dv.setInt32(at, Number(v), true); return;
    case 'u64': dv.setBigUint64(at, BigInt.asUintN(64, BigInt(v)), true); return;
    case 'i64': dv.setBigInt64(at, BigInt.asIntN(64, BigInt(v)), true); return;
  }
}

export function view(memory: MemoryLike, blockName: string, index = 0): BlockView {
  return new BlockView(memory, block(blockName), index);
}
