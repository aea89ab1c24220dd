// The one declaration of emulator state. Each component declares its state block here once;
// from it come (1) the AssemblyScript offsets and accessors (scripts/gen-layout.ts writes
// core-as/gen/layout.ts), (2) the host views (host-ts/layout/state-view.ts) and (3) migration.
// Offsets are never typed by hand anywhere else.

export type ScalarType = 'u8' | 'u16' | 'u32' | 'u64' | 'i32' | 'i64';

export const SCALAR_SIZE: Record<ScalarType, number> = {
  u8: 1, u16: 2, u32: 4, u64: 8, i32: 4, i64: 8,
};

/** How a field takes part in migration (QEMU vmstate style). */
export type MigrateRule =
  | 'save'   // sent and restored
  | 'equal'  // sent; the destination's value must be equal (a sanity field, e.g. reg, irq)
  | 'none';  // host-only or derived (timers, scratch): never sent

export interface FieldDecl {
  name: string;          // camelCase
  type: ScalarType;
  count?: number;        // array length; absent = scalar
  migrate: MigrateRule;
  /** Name of the subsection this field belongs to (sent only when its rule says so). */
  subsection?: string;
  doc: string;           // unit and spec section
}

export interface SubsectionDecl {
  name: string;
  version: number;
  /** Name of a predicate the migration code evaluates on the source (e.g. 'poolsEnabled'). */
  needed: string;
}

export interface BlockDecl {
  name: string;          // camelCase; AS prefix
  version: number;
  minVersion: number;
  /** Number of instances (devices of this kind a machine may have). */
  instances: number;
  fields: FieldDecl[];
  subsections?: SubsectionDecl[];
  doc: string;
}

/** A raw region of the memory map that is not a typed block (tables, rings, RAM). */
export interface RegionDecl {
  name: string;          // camelCase
  size: number;          // bytes per instance
  instances: number;
  align: number;
  doc: string;
}

export interface FieldLayout extends FieldDecl {
  offset: number;        // bytes from the instance base
  size: number;          // total bytes (element size x count)
}

export interface BlockLayout extends BlockDecl {
  base: number;          // hoff of instance 0
  stride: number;        // bytes between instances
  fieldsByName: Map<string, FieldLayout>;
  laidOut: FieldLayout[];
}

export interface RegionLayout extends RegionDecl {
  base: number;
  stride: number;
}

export function alignUp(v: number, a: number): number {
  return Math.ceil(v / a) * a;
}

/** Lays out a block's fields in declaration order with natural alignment. */
export function layoutFields(b: BlockDecl): { laidOut: FieldLayout[]; size: number } {
  let off = 0;
  const laidOut: FieldLayout[] = [];
  for (const f of b.fields) {
    const el = SCALAR_SIZE[f.type];
    off = alignUp(off, el);
    const size = el * (f.count ?? 1);
    laidOut.push({ ...f, offset: off, size });
    off += size;
  }
  return { laidOut, size: off };
}
