// The command reports, at exit, instructions the CPU does not implement (issue 3: never silent).
import { afterEach, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../host-ts/cli/main.js';
import * as E from '../isa/encode.js';

let dir = '';
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = ''; });

/** A -bios image: an illegal word at 0x100; the 0x700 handler powers off through RTAS (token 0x2003). */
function image(): Uint8Array {
  const img = new Uint8Array(0x800);
  const dv = new DataView(img.buffer);
  const put = (at: number, words: number[]) => words.forEach((w, k) => dv.setUint32(at + 4 * k, w, false));
  put(0x100, [0x00000000]);
  put(0x700, [
    E.addi(5, 0, 0x200), E.addis(6, 0, 0), E.ori(6, 6, 0x2003), E.stw(6, 5, 0), E.addi(6, 0, 2), E.stw(6, 5, 4),
    E.addi(6, 0, 1), E.stw(6, 5, 8), E.addi(6, 0, 0), E.stw(6, 5, 12), E.stw(6, 5, 16),
    E.X(5, 4, 5, 444), E.addi(3, 0, 0), E.ori(3, 3, 0xf000), E.SC1, E.b(0),
  ]);
  return img;
}

it('names unimplemented instructions on stderr when the guest stops', async () => {
  dir = mkdtempSync(join(tmpdir(), 'pw-unimpl-'));
  const bios = join(dir, 'bios.bin');
  writeFileSync(bios, image());
  let err = '';
  const rc = await main(['-nodefaults', '-bios', bios], { stdout: () => {}, stderr: (s) => { err += s; } });
  expect(rc).toBe(0);
  expect(err).toBe('pseries-wasm: warning: the guest met instructions or SPRs this CPU does not implement:\nattn: 1x (last 0x00000000 at 0x100)\n');
});
