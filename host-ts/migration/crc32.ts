// CRC-32 (IEEE, the zlib/PNG polynomial) of the stream. node:zlib has crc32 from Node 20.15 (and
// 22.2); older Node 20 releases get the table-driven fallback, which gives the same values.
import * as zlib from 'node:zlib';

type Crc32 = (data: Uint8Array, prev?: number) => number;

const native = (zlib as unknown as { crc32?: Crc32 }).crc32;

let table: Uint32Array | undefined;

function fallback(data: Uint8Array, prev = 0): number {
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~prev >>> 0;
  for (let i = 0; i < data.length; i++) c = table[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** CRC-32 of `data`, continuing from `prev` (the CRC of the bytes before it). */
export const crc32: Crc32 = native ? (d, p = 0) => native(d, p) >>> 0 : fallback;
export const crc32Fallback: Crc32 = fallback;
