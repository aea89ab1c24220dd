// End to end: each prebuilt guest boots on pseries-wasm with the options it was run with on QEMU
// 7.2 (guests/verify-qemu.sh) and must print exactly QEMU's console output, then power off
// through RTAS (exit status 0). Skipped only while the core has no CPU (no run(budget) export).
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createPseries, type PseriesBootOptions } from '../../host-ts/machine/pseries.js';
import { attachInput } from '../../host-ts/console/console-backends.js';

const GUESTS = join(__dirname, '../../guests/prebuilt');
const DATA = join(__dirname, 'data');
const image = (f: string): Uint8Array => new Uint8Array(readFileSync(join(GUESTS, f)));

const hasCpu = createPseries({ bios: image('hello-be.bin') }).hasCpu;

/** Lines QEMU prints that we intentionally do not: QEMU always has an nvram@71000001 device. */
const withoutNvram = (s: string): string => s.split('\n').filter((l) => !l.includes('/vdevice/nvram@')).join('\n');

const cases: { image: string; opts: () => PseriesBootOptions; maxInsns: number; input?: string }[] = [
  { image: 'hello-be.bin', opts: () => ({ bios: image('hello-be.bin') }), maxInsns: 50_000_000 },
  { image: 'hello-be.elf', opts: () => ({ kernel: image('hello-be.elf') }), maxInsns: 50_000_000 },
  { image: 'hello-le.elf', opts: () => ({ kernel: image('hello-le.elf') }), maxInsns: 50_000_000 },
  { image: 'workload-be.bin', opts: () => ({ bios: image('workload-be.bin') }), maxInsns: 400_000_000 },
  { image: 'workload-le.elf', opts: () => ({ kernel: image('workload-le.elf') }), maxInsns: 400_000_000 },
  { image: 'rtas-be.bin', opts: () => ({ bios: image('rtas-be.bin') }), maxInsns: 50_000_000 },
  // the same bytes verify-qemu.sh pipes into QEMU's stdin
  { image: 'echo-be.bin', opts: () => ({ bios: image('echo-be.bin') }), maxInsns: 50_000_000, input: 'ab\r\0cd\r\0ef\nq' },
];

describe.skipIf(!hasCpu)('prebuilt guests print what they print on QEMU 7.2', () => {
  for (const c of cases) {
    test(c.image, () => {
      let out = '';
      const p = createPseries({ ...c.opts(), console: (b) => { out += Buffer.from(b).toString('latin1'); } });
      if (c.input) p.input(c.input);
      const r = p.run({ maxInsns: c.maxInsns });
      expect(r.reason).toBe('power-off');
      expect(p.exitStatus).toBe(0);
      const qemu = readFileSync(join(DATA, `qemu-${c.image}.out`), 'latin1');
      expect(out).toBe(withoutNvram(qemu));
      if (p.machine.cpu.layout.fieldsByName.has('unimplTotal')) expect(p.machine.cpu.getNum('unimplTotal')).toBe(0);
    });
  }
});

describe.skipIf(!hasCpu)('console input arriving while the guest runs', () => {
  test('echo guest reads bytes piped in later, chunk by chunk (runAsync keeps the event loop live)', async () => {
    let out = '';
    const p = createPseries({ bios: image('echo-be.bin'), console: (b) => { out += Buffer.from(b).toString('latin1'); } });
    const stream = new PassThrough();
    const detach = attachInput(p, stream);
    setTimeout(() => stream.write('ab\r'), 5);
    setTimeout(() => stream.write('\0cd'), 15);
    setTimeout(() => stream.write('q'), 25);
    const r = await p.runAsync({ slice: 200_000, maxInsns: 2_000_000_000 });
    detach();
    expect(r.reason).toBe('power-off');
    // chunk boundaries depend on timing, the bytes and their order do not
    const bytes = [...out.matchAll(/0x([0-9a-f]+)/g)].map((m) => parseInt(m[1], 16));
    expect(bytes).toEqual([0x61, 0x62, 0x0d, 0x00, 0x63, 0x64, 0x71]);
    expect(out.endsWith('echo: 7 bytes\n')).toBe(true);
  });
});
