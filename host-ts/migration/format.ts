// The migration stream format, derived from the state declaration (host-ts/layout): which fields
// of each block go on the wire, in which order, and how many bytes they take. Firecracker's
// snapshot container and QEMU's vmstate are the models: a header, tagged records, a checksum.
//
//   header   magic u32 'PSWM' | stream version u32 | guest RAM bytes u64
//   record   tag u8, then by tag:
//     RAM_DATA  first page u32 | page count u32 (1..256) | count x 4096 bytes
//     RAM_ZERO  first page u32 | page count u32           (pages that are all zero)
//     SECTION   name len u8 | name | instance u16 | version u32 | payload len u32 | payload
//               payload = the block's 'save'/'equal' fields outside subsections, in declaration
//               order, big-endian, arrays as sequences; then subsection count u8 and per
//               subsection: name len u8 | name | version u32 | length u32 | its fields
//     REGION    name len u8 | name | instance u16 | version u32 | payload len u32 | payload
//               payload = run count u32, runs of (first element u32 | count u32 | elements BE),
//               ascending, non-zero elements only
//     END       CRC-32 u32 of every byte before it (header through the END tag)
// All integers are big-endian, as QEMU encodes vmstate (spec 7).
import { MEMORY_MAP, GUEST_PAGE } from '../layout/memory-map.js';
import { SCALAR_SIZE, type BlockLayout, type FieldLayout, type SubsectionDecl } from '../layout/schema.js';
import type { BlockView } from '../layout/state-view.js';
import { hooksOf, migratedRegions } from './registry.js';

export const STREAM_MAGIC = 0x5053574d; // 'PSWM'
export const STREAM_VERSION = 1;
export const HEADER_BYTES = 16;

export const TAG = {
  RAM_DATA: 0x01,
  RAM_ZERO: 0x02,
  SECTION: 0x03,
  REGION: 0x04,
  END: 0xff,
} as const;

/** Limits the destination enforces before it buffers or allocates anything a header announces. */
export const LIMITS = {
  maxNameBytes: 64,
  maxPagesPerRecord: 256,
  maxSectionBytes: 8 * 1024 * 1024,
} as const;

export const PAGE = GUEST_PAGE;

export interface WireSubsection {
  decl: SubsectionDecl;
  fields: FieldLayout[];
  bytes: number;
}

export interface WireBlock {
  layout: BlockLayout;
  /** Fields sent in the section body (outside subsections), declaration order. */
  main: FieldLayout[];
  mainBytes: number;
  subsections: WireSubsection[];
  subByName: Map<string, WireSubsection>;
  /** Fields whose destination value must equal the stream's. */
  equal: FieldLayout[];
}

const sent = (f: FieldLayout): boolean => f.migrate !== 'none';
const bytesOf = (fs: FieldLayout[]): number => fs.reduce((n, f) => n + f.size, 0);

function buildWire(layout: BlockLayout): WireBlock {
  const declared = new Set((layout.subsections ?? []).map((s) => s.name));
  for (const f of layout.laidOut) {
    if (f.subsection !== undefined && !declared.has(f.subsection)) {
      throw new Error(`block '${layout.name}' field '${f.name}' names undeclared subsection '${f.subsection}'`);
    }
  }
  const main = layout.laidOut.filter((f) => sent(f) && f.subsection === undefined);
  const subsections = (layout.subsections ?? []).map((decl) => {
    const fields = layout.laidOut.filter((f) => sent(f) && f.subsection === decl.name);
    return { decl, fields, bytes: bytesOf(fields) };
  });
  return {
    layout,
    main,
    mainBytes: bytesOf(main),
    subsections,
    subByName: new Map(subsections.map((s) => [s.decl.name, s])),
    equal: layout.laidOut.filter((f) => f.migrate === 'equal'),
  };
}

let wireCache: Map<string, WireBlock> | undefined;

/** Every block's wire description, in memory-map order (the order sections are sent). */
export function wireBlocks(): Map<string, WireBlock> {
  if (!wireCache) {
    wireCache = new Map();
    for (const b of MEMORY_MAP.blocks.values()) wireCache.set(b.name, buildWire(b));
  }
  return wireCache;
}

/** A block with nothing to send (all fields 'none') has no section. */
export function hasSection(w: WireBlock): boolean {
  return w.main.length > 0 || w.subsections.some((s) => s.fields.length > 0);
}

/** The subsection's "needed" predicate, evaluated on the source (default: a field of that name != 0). */
export function neededPredicate(w: WireBlock, sub: SubsectionDecl): (v: BlockView) => boolean {
  const custom = hooksOf(w.layout.name).needed?.[sub.needed];
  if (custom) return custom;
  if (!w.layout.fieldsByName.has(sub.needed)) {
    throw new Error(`subsection '${w.layout.name}/${sub.name}': no predicate or field named '${sub.needed}'`);
  }
  return (v) => v.getBig(sub.needed) !== 0n;
}

const fieldLine = (f: FieldLayout): string =>
  `    ${f.name}: ${f.type}${f.count !== undefined ? `[${f.count}]` : ''} ${f.migrate}  (${f.size} bytes)`;

/**
 * The golden description of the stream format (test/migration/golden-format.txt): a change to
 * any sent field, type, order, version or subsection changes this text (QEMU's vmstate static
 * checker plays the same role).
 */
export function describeStreamFormat(): string {
  const out: string[] = [
    `stream magic ${STREAM_MAGIC.toString(16)} version ${STREAM_VERSION} header ${HEADER_BYTES} bytes, big-endian`,
    `tags ${Object.entries(TAG).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    `limits ${Object.entries(LIMITS).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    `ram pages of ${PAGE} bytes`,
  ];
  for (const w of wireBlocks().values()) {
    const b = w.layout;
    if (!hasSection(w)) {
      out.push(`block ${b.name}: not sent`);
      continue;
    }
    out.push(`section ${b.name} version ${b.version} minVersion ${b.minVersion} instances ${b.instances} body ${w.mainBytes} bytes`);
    for (const f of w.main) out.push(fieldLine(f));
    for (const s of w.subsections) {
      out.push(`  subsection ${s.decl.name} version ${s.decl.version} needed ${s.decl.needed} ${s.bytes} bytes`);
      for (const f of s.fields) out.push(fieldLine(f));
    }
    const local = b.laidOut.filter((f) => !sent(f)).map((f) => f.name);
    if (local.length) out.push(`  not sent: ${local.join(', ')}`);
  }
  for (const r of migratedRegions()) {
    out.push(`region ${r.region} version ${r.version} element ${r.elem} (${SCALAR_SIZE[r.elem]} bytes), ${r.ranges ? 'live byte ranges' : 'sparse runs of non-zero elements'}`);
  }
  return out.join('\n') + '\n';
}
