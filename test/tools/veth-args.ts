// Default parameters baked into a guests/veth image: the string after the "VETHARGS:" marker
// (246 bytes, NUL-terminated), used when /chosen/bootargs is empty, e.g. for -bios where QEMU
// accepts no -append. Same grammar as the bootargs (guests/README.md).
//   tsx test/tools/veth-args.ts IN OUT "mode=sink count=1000 idle=2"
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const MARKER = Buffer.from('VETHARGS:');
export const VETH_ARGS_MAX = 246;

/** A copy of `image` whose built-in parameters are `args`. */
export function withVethArgs(image: Uint8Array, args: string): Uint8Array {
  const buf = Buffer.from(image);
  const at = buf.indexOf(MARKER);
  if (at < 0 || buf.indexOf(MARKER, at + 1) >= 0) throw new Error('image has no unique VETHARGS: marker');
  const bytes = Buffer.from(args, 'latin1');
  if (bytes.length > VETH_ARGS_MAX) throw new Error(`veth args longer than ${VETH_ARGS_MAX} bytes`);
  const start = at + MARKER.length;
  buf.fill(0, start, start + VETH_ARGS_MAX + 1);
  bytes.copy(buf, start);
  return new Uint8Array(buf);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [inp, out, args] = process.argv.slice(2);
  if (!inp || !out || args === undefined) {
    console.error('usage: veth-args.ts IN OUT "ARGS"');
    process.exit(1);
  }
  writeFileSync(out, withVethArgs(readFileSync(inp), args));
}
