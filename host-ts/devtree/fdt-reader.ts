// Parses an FDT blob (version 16 or 17) back into a DtNode tree with strict bounds checks:
// used by tests to compare our tree with QEMU's dumpdtb, and to read a tree a guest was given.
import { DtNode } from './dt-node.js';
import {
  FDT_MAGIC, FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_NOP, FDT_END, FDT_HEADER_SIZE, type MemReserve,
} from './fdt-writer.js';

export interface ParsedFdt {
  root: DtNode;
  memReserve: MemReserve[];
  bootCpuId: number;
  version: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function readFdt(blob: Uint8Array): ParsedFdt {
  const fail = (why: string): never => { throw new Error(`invalid FDT: ${why}`); };
  if (blob.length < FDT_HEADER_SIZE) fail(`${blob.length} bytes is shorter than the header`);
  const dv = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const h = (i: number): number => dv.getUint32(i * 4);
  if (h(0) !== FDT_MAGIC) fail(`bad magic 0x${h(0).toString(16)}`);
  const [total, offStruct, offStrings, offRsv, version, , bootCpuId, sizeStrings, sizeStruct] =
    [h(1), h(2), h(3), h(4), h(5), h(6), h(7), h(8), h(9)];
  if (total > blob.length) fail(`totalsize ${total} exceeds the ${blob.length} bytes given`);
  if (version < 16) fail(`version ${version} is older than 16`);
  if (offStruct + sizeStruct > total || offStrings + sizeStrings > total) fail('blocks outside totalsize');

  const memReserve: MemReserve[] = [];
  for (let at = offRsv; ; at += 16) {
    if (at + 16 > total) fail('unterminated memory reservation block');
    const address = dv.getBigUint64(at);
    const size = dv.getBigUint64(at + 8);
    if (address === 0n && size === 0n) break;
    memReserve.push({ address, size });
  }

  const cstr = (start: number, end: number): [string, number] => {
    let i = start;
    while (i < end && blob[i] !== 0) i++;
    if (i >= end) fail(`unterminated string at ${start}`);
    return [utf8.decode(blob.subarray(start, i)), i + 1];
  };
  const align4 = (x: number): number => (x + 3) & ~3;

  const structEnd = offStruct + sizeStruct;
  let at = offStruct;
  const token = (): number => {
    if (at + 4 > structEnd) fail('structure block overrun');
    const t = dv.getUint32(at);
    at += 4;
    return t;
  };
  const stack: DtNode[] = [];
  let root: DtNode | undefined;
  for (;;) {
    const t = token();
    if (t === FDT_NOP) continue;
    if (t === FDT_BEGIN_NODE) {
      const [name, next] = cstr(at, structEnd);
      at = align4(next);
      const node = new DtNode(name);
      if (stack.length) stack[stack.length - 1].add(node);
      else if (root) fail('second root node');
      else root = node;
      stack.push(node);
    } else if (t === FDT_END_NODE) {
      if (!stack.pop()) fail('END_NODE without a node');
    } else if (t === FDT_PROP) {
      const len = token();
      const nameOff = token();
      if (!stack.length) fail('property outside a node');
      if (at + len > structEnd) fail('property value overruns the structure block');
      if (nameOff >= sizeStrings) fail(`property name offset ${nameOff} outside the strings block`);
      const [name] = cstr(offStrings + nameOff, offStrings + sizeStrings);
      const node = stack[stack.length - 1];
      if (node.props.has(name)) fail(`duplicate property ${name}`);
      node.props.set(name, blob.slice(at, at + len));
      at = align4(at + len);
    } else if (t === FDT_END) {
      if (stack.length) fail('END inside a node');
      break;
    } else {
      fail(`unknown token 0x${t.toString(16)} at ${at - 4}`);
    }
  }
  if (!root) fail('no root node');
  return { root: root!, memReserve, bootCpuId, version };
}
