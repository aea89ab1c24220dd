// Helpers to take a saved stream apart and forge hostile variants with a correct checksum.
import { crc32 } from '../../host-ts/migration/crc32.js';
import { TAG, HEADER_BYTES } from '../../host-ts/migration/format.js';

export interface RecordAt {
  tag: number;
  at: number;
  len: number;
  name?: string;
  instance?: number;
  /** Offset of the payload (named records). */
  payload?: number;
}

/** The records of a well-formed stream, in order. */
export function records(s: Uint8Array): RecordAt[] {
  const dv = new DataView(s.buffer, s.byteOffset, s.byteLength);
  const out: RecordAt[] = [];
  let at = HEADER_BYTES;
  while (at < s.length) {
    const tag = s[at];
    if (tag === TAG.RAM_DATA) {
      const n = 9 + dv.getUint32(at + 5) * 4096;
      out.push({ tag, at, len: n });
      at += n;
    } else if (tag === TAG.RAM_ZERO) {
      out.push({ tag, at, len: 9 });
      at += 9;
    } else if (tag === TAG.SECTION || tag === TAG.REGION) {
      const nl = s[at + 1];
      const name = new TextDecoder().decode(s.subarray(at + 2, at + 2 + nl));
      const p = at + 2 + nl;
      const len = 2 + nl + 10 + dv.getUint32(p + 6);
      out.push({ tag, at, len, name, instance: dv.getUint16(p), payload: p + 10 });
      at += len;
    } else if (tag === TAG.END) {
      out.push({ tag, at, len: 5 });
      at += 5;
    } else {
      throw new Error(`bad tag ${tag} at ${at}`);
    }
  }
  return out;
}

export function section(s: Uint8Array, name: string, instance = 0): RecordAt {
  const r = records(s).find((x) => x.name === name && x.instance === instance);
  if (!r) throw new Error(`no ${name}[${instance}] in stream`);
  return r;
}

/** Recomputes the END checksum (the stream's last 4 bytes). */
export function fixCrc(s: Uint8Array): Uint8Array {
  new DataView(s.buffer, s.byteOffset, s.byteLength).setUint32(s.length - 4, crc32(s.subarray(0, s.length - 4)));
  return s;
}

/** A copy of `s` changed by `f`, with a valid checksum. */
export function forge(s: Uint8Array, f: (copy: Uint8Array, dv: DataView) => void): Uint8Array {
  const c = s.slice();
  f(c, new DataView(c.buffer));
  return fixCrc(c);
}
