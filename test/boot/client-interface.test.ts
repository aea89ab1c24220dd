// The Open Firmware client interface of a -kernel boot (KVMPPC_H_VOF_CLIENT), driven like a
// client would: argument blocks of BE cells in guest RAM (linux-boot.md 2.1, 2.2).
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPseries, type PseriesMachine } from '../../host-ts/machine/pseries.js';
import { HCALL, HRC } from '../../host-ts/layout/papr.js';

const KERNEL = new Uint8Array(readFileSync(join(__dirname, '../../guests/prebuilt/hello-be.elf')));
const BLOCK = 0x20000;
const STRINGS = 0x21000;
const BUF = 0x22000;

/** Calls `service` with cell or string args (strings are placed in RAM); returns hcall status + rets. */
function ci(p: PseriesMachine, service: string, args: (number | string)[], nret: number) {
  const m = p.machine;
  let at = STRINGS;
  const str = (s: string): number => { const a = at; m.writeRam(a, new TextEncoder().encode(s + '\0')); at += s.length + 1; return a; };
  const cells = [str(service), args.length, nret, ...args.map((a) => (typeof a === 'string' ? str(a) : a)), ...new Array(nret).fill(0xdeadbeef)];
  const b = new Uint8Array(cells.length * 4);
  cells.forEach((c, i) => new DataView(b.buffer).setUint32(i * 4, c >>> 0));
  m.writeRam(BLOCK, b);
  const ret = m.hcall(HCALL.KVMPPC_H_VOF_CLIENT, BLOCK).ret;
  const back = new DataView(m.readRam(BLOCK, b.length).buffer);
  return { ret, rets: Array.from({ length: nret }, (_, i) => back.getInt32((3 + args.length + i) * 4)) };
}
const one = (p: PseriesMachine, s: string, args: (number | string)[]): number => ci(p, s, args, 1).rets[0];
const text = (p: PseriesMachine, at: number, n: number): string => new TextDecoder().decode(p.machine.readRam(at, n));

describe('client interface (-kernel without -bios)', () => {
  test('phandles like QEMU: XICS keeps 0x1111, the others numbered depth-first from 0x1112', () => {
    const p = createPseries({ kernel: KERNEL });
    expect(p.ci!.phandle(p.tree)).toBe(0x1112);
    expect(p.ci!.phandle(p.tree.find('interrupt-controller')!)).toBe(0x1111);
    expect(p.ci!.phandle(p.tree.find('ibm,persistent-memory')!)).toBe(0x1113);
    expect(p.ci!.phandle(p.tree.find('chosen')!)).toBe(0x1114);
    expect([...p.tree.find('chosen')!.props.get('stdout')!]).toEqual([0, 0, 0, 1]);
    expect(createPseries({ bios: new Uint8Array(0x200) }).ci).toBeUndefined();
  });

  test('finddevice, getprop(len), instance-to-package, package-to-path', () => {
    const p = createPseries({ kernel: KERNEL });
    const chosen = one(p, 'finddevice', ['/chosen']);
    expect(chosen).toBe(0x1114);
    expect(one(p, 'finddevice', ['/nope'])).toBe(-1);
    const vty = one(p, 'finddevice', ['/vdevice/vty']);
    expect(one(p, 'finddevice', ['/vdevice/vty@71000000'])).toBe(vty);
    expect(one(p, 'getprop', [chosen, 'stdout', BUF, 4])).toBe(4);
    expect([...p.machine.readRam(BUF, 4)]).toEqual([0, 0, 0, 1]);
    expect(one(p, 'instance-to-package', [1])).toBe(vty);
    expect(one(p, 'package-to-path', [vty, BUF, 64])).toBe(21);
    expect(text(p, BUF, 22)).toBe('/vdevice/vty@71000000\0');
    const rtas = one(p, 'finddevice', ['/rtas']);
    expect(one(p, 'getproplen', [rtas, 'power-off'])).toBe(4);
    p.machine.writeRam(BUF, [9, 9, 9, 9]);
    expect(one(p, 'getprop', [rtas, 'power-off', BUF, 2])).toBe(4); // full length, 2 bytes copied
    expect([...p.machine.readRam(BUF, 4)]).toEqual([0, 0, 9, 9]);
    expect(one(p, 'getprop', [vty, 'name', BUF, 16])).toBe(4);
    expect(text(p, BUF, 4)).toBe('vty\0');
    expect(one(p, 'getprop', [0x9999, 'name', BUF, 16])).toBe(-1);
  });

  test('tree walk: peer/child/parent, nextprop lists every property', () => {
    const p = createPseries({ kernel: KERNEL });
    const root = one(p, 'peer', [0]);
    expect(root).toBe(0x1112);
    expect(one(p, 'peer', [root])).toBe(0);
    const first = one(p, 'child', [root]);
    expect(first).toBe(0x1113);
    expect(one(p, 'peer', [first])).toBe(0x1114);
    expect(one(p, 'parent', [first])).toBe(root);
    expect(one(p, 'parent', [root])).toBe(0);
    const vty = one(p, 'finddevice', ['/vdevice/vty']);
    const names: string[] = [];
    let prev: number | string = 0;
    for (;;) {
      const r = one(p, 'nextprop', [vty, prev, BUF]);
      if (r !== 1) { expect(r).toBe(0); break; }
      const name = text(p, BUF, 64).split('\0')[0];
      names.push(name);
      prev = name;
    }
    expect(names).toEqual([...p.tree.find('vdevice/vty@71000000')!.props.keys()]);
  });

  test('setprop, claim/release, instantiate-rtas, CAS refused, write, unknown service', () => {
    const out: string[] = [];
    const p = createPseries({ kernel: KERNEL, console: (b) => out.push(new TextDecoder().decode(b)) });
    const chosen = one(p, 'finddevice', ['/chosen']);
    p.machine.writeRam(BUF, [0, 0, 0, 0, 0, 0x43, 0, 0]);
    expect(one(p, 'setprop', [chosen, 'linux,initrd-start', BUF, 8])).toBe(8);
    expect([...p.tree.find('chosen')!.props.get('linux,initrd-start')!]).toEqual([0, 0, 0, 0, 0, 0x43, 0, 0]);
    expect(one(p, 'claim', [0x400000, 0x1000, 0])).toBe(-1); // the kernel is there
    expect(one(p, 'claim', [0x8000, 0x100, 0])).toBe(-1);    // VOF's stack
    expect(one(p, 'claim', [0x2f90000, 0x100000, 0])).toBe(0x2f90000);
    expect(one(p, 'claim', [0x2f90000, 0x10, 0])).toBe(-1);
    ci(p, 'release', [0x2f90000, 0x100000], 0);
    expect(one(p, 'claim', [0x2f90000, 0x10, 0])).toBe(0x2f90000);
    const aligned = one(p, 'claim', [0, 0x10000, 0x10000]);
    expect(aligned % 0x10000).toBe(0);
    expect(aligned).toBeGreaterThanOrEqual(0x10000);
    const ih = one(p, 'open', ['/rtas']);
    expect(ih).toBeGreaterThan(1);
    expect(ci(p, 'call-method', ['ibm,instantiate-rtas', ih, 0x1fff0000], 2).rets).toEqual([0, 0x1fff0000]);
    expect(ci(p, 'call-method', ['ibm,instantiate-rtas', ih, 0x2fff0000], 2).rets).toEqual([-1, 0xdeadbeef | 0]); // outside RAM
    expect([...p.machine.readRam(0x1fff0008, 4)]).toEqual([0x60, 0x63, 0xf0, 0x00]); // ori r3,r3,0xf000
    const root = one(p, 'open', ['/']);
    expect(ci(p, 'call-method', ['ibm,client-architecture-support', root, 0x3000], 2).rets[0]).toBe(-1);
    p.machine.writeRam(BUF, new TextEncoder().encode('OF says hi'));
    expect(one(p, 'write', [1, BUF, 10])).toBe(10);
    expect(out).toEqual(['OF says hi']);
    expect(ci(p, 'frobnicate', [], 1)).toEqual({ ret: BigInt(HRC.H_PARAMETER), rets: [0xdeadbeef | 0] });
    expect(p.machine.hcall(HCALL.KVMPPC_H_VOF_CLIENT, p.machine.ramSize).ret).toBe(BigInt(HRC.H_PARAMETER));
  });
});
