// Flattens a DtNode tree into an FDT blob, version 17 (devicetree specification 0.4, chapter 5):
// header, memory reservation block, structure block (BE tokens), strings block (deduplicated).
// Properties and children are written in the tree's own order.
import { DtNode } from './dt-node.js';

export const FDT_MAGIC = 0xd00dfeed;
export const FDT_VERSION = 17;
export const FDT_LAST_COMP_VERSION = 16;
export const FDT_BEGIN_NODE = 1;
export const FDT_END_NODE = 2;
export const FDT_PROP = 3;
export const FDT_NOP = 4;
export const FDT_END = 9;
export const FDT_HEADER_SIZE = 40;

export interface MemReserve {
  address: bigint;
  size: bigint;
}

export interface FdtOptions {
  memReserve?: MemReserve[];
  /** boot_cpuid_phys: the physical id of the boot CPU. */
  bootCpuId?: number;
}

class ByteSink {
  private buf = new Uint8Array(4096);
  length = 0;
  private grow(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.length + n) cap *= 2;
    const b = new Uint8Array(cap);
    b.set(this.buf.subarray(0, this.length));
    this.buf = b;
  }
  u32(v: number): void {
    this.grow(4);
    new DataView(this.buf.buffer).setUint32(this.length, v >>> 0);
    this.length += 4;
  }
  u64(v: bigint): void {
    this.grow(8);
    new DataView(this.buf.buffer).setBigUint64(this.length, BigInt.asUintN(64, v));
    this.length += 8;
  }
  bytes(b: Uint8Array): void {
    this.grow(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }
  align4(): void {
    const pad = (4 - (this.length & 3)) & 3;
    this.grow(pad);
    this.buf.fill(0, this.length, this.length + pad);
    this.length += pad;
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

const utf8 = new TextEncoder();

function checkName(kind: string, name: string): void {
  if (name.includes('\0') || name.includes('/')) throw new Error(`invalid device-tree ${kind} name ${JSON.stringify(name)}`);
}

/** The FDT blob of `root` (root's own name is written as ""). */
export function writeFdt(root: DtNode, opts: FdtOptions = {}): Uint8Array {
  const struct = new ByteSink();
  const strings = new ByteSink();
  const stringOffsets = new Map<string, number>();

  const stringOffset = (name: string): number => {
    let off = stringOffsets.get(name);
    if (off === undefined) {
      off = strings.length;
      strings.bytes(utf8.encode(name + '\0'));
      stringOffsets.set(name, off);
    }
    return off;
  };

  const emit = (node: DtNode, isRoot: boolean): void => {
    if (!isRoot) checkName('node', node.name);
    struct.u32(FDT_BEGIN_NODE);
    struct.bytes(utf8.encode((isRoot ? '' : node.name) + '\0'));
    struct.align4();
    for (const [name, value] of node.props) {
      checkName('property', name);
      struct.u32(FDT_PROP);
      struct.u32(value.length);
      struct.u32(stringOffset(name));
      struct.bytes(value);
      struct.align4();
    }
    for (const child of node.children) emit(child, false);
    struct.u32(FDT_END_NODE);
  };
  emit(root, true);
  struct.u32(FDT_END);

  const rsv = new ByteSink();
  for (const r of opts.memReserve ?? []) {
    if (r.size === 0n) throw new Error('memory reservation of size 0');
    rsv.u64(r.address);
    rsv.u64(r.size);
  }
  rsv.u64(0n);
  rsv.u64(0n);

  const offRsv = FDT_HEADER_SIZE; // 8-byte aligned
  const offStruct = offRsv + rsv.length;
  const offStrings = offStruct + struct.length;
  const total = offStrings + strings.length;
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  const header = [FDT_MAGIC, total, offStruct, offStrings, offRsv, FDT_VERSION, FDT_LAST_COMP_VERSION,
    opts.bootCpuId ?? 0, strings.length, struct.length];
  header.forEach((v, i) => dv.setUint32(i * 4, v >>> 0));
  out.set(rsv.result(), offRsv);
  out.set(struct.result(), offStruct);
  out.set(strings.result(), offStrings);
  return out;
}
