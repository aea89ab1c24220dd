// The vty hypercalls (papr-vlan.md 2.12, QEMU spapr_vty) and RTAS through H_RTAS, driven like a
// guest would (r3..r12, buffers in guest RAM) on a bare machine, without a CPU.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Machine } from '../../host-ts/machine/machine.js';
import { SpaprVlan } from '../../host-ts/devices/spapr-vlan.js';
import { VtyDevice, registerVtyHcalls, packChars } from '../../host-ts/console/vty.js';
import { Rtas, rtasToken, RTAS_OUT } from '../../host-ts/rtas/rtas.js';
import { HCALL, HRC } from '../../host-ts/layout/papr.js';
import { createPseries } from '../../host-ts/machine/pseries.js';
import { hasLpcr, registerHSetMode, LPCR_ILE } from '../../host-ts/machine/h-set-mode.js';

const H = (v: number): bigint => BigInt(v);

function vtyMachine() {
  const m = new Machine({ ramSize: 1 << 20 });
  const out: number[] = [];
  const vty = new VtyDevice(m, (b) => out.push(...b));
  registerVtyHcalls(m);
  return { m, bus: m.vio, vty, out };
}

describe('vty console hypercalls', () => {
  test('the vty is a VIO device with QEMU\'s node, signal mask 0', () => {
    const { vty, bus, m } = vtyMachine();
    expect(vty.reg).toBe(0x71000000);
    expect(vty.slot.irq).toBe(0x1100);
    const n = bus.dtNode().find('vty@71000000')!;
    expect(new TextDecoder().decode(n.props.get('compatible'))).toBe('hvterm1\0');
    expect(new TextDecoder().decode(n.props.get('device_type'))).toBe('serial\0');
    expect([...n.props.get('reg')!]).toEqual([0x71, 0, 0, 0]);
    expect([...n.props.get('interrupts')!]).toEqual([0, 0, 0x11, 0, 0, 0, 0, 0]);
    expect(m.hcall(HCALL.H_VIO_SIGNAL, 0x71000000, 1).ret).toBe(H(HRC.H_PARAMETER));
    expect(m.hcall(HCALL.H_VIO_SIGNAL, 0x71000000, 0).ret).toBe(H(HRC.H_SUCCESS));
  });

  test('H_PUT_TERM_CHAR: first byte in the top byte of r6, len bytes, len > 16 -> H_PARAMETER', () => {
    const { m, out } = vtyMachine();
    const [hi, lo] = packChars([...'0123456789abcdef'].map((c) => c.charCodeAt(0)));
    expect(m.hcall(HCALL.H_PUT_TERM_CHAR, 0x71000000, 16, hi, lo).ret).toBe(0n);
    expect(m.hcall(HCALL.H_PUT_TERM_CHAR, 0x71000000, 3, 0x4142434445464748n, 0).ret).toBe(0n);
    expect(m.hcall(HCALL.H_PUT_TERM_CHAR, 0x71000000, 17, hi, lo).ret).toBe(H(HRC.H_PARAMETER));
    expect(m.hcall(HCALL.H_PUT_TERM_CHAR, 0x71000000, 0, hi, lo).ret).toBe(0n);
    expect(m.hcall(HCALL.H_PUT_TERM_CHAR, 0x71000000, 9, 0x4142434445464748n, 0x4900000000000000n).ret).toBe(0n);
    expect(String.fromCharCode(...out)).toBe('0123456789abcdefABCABCDEFGHI');
  });

  test('unit lookup: 32-bit truncation, unit 0 = lowest vty, unknown unit -> H_PARAMETER', () => {
    const { m, out } = vtyMachine();
    expect(m.hcall(HCALL.H_PUT_TERM_CHAR, 0x1_71000000n, 1, 0x5800000000000000n, 0).ret).toBe(0n);
    expect(m.hcall(HCALL.H_PUT_TERM_CHAR, 0, 1, 0x5900000000000000n, 0).ret).toBe(0n);
    expect(m.hcall(HCALL.H_PUT_TERM_CHAR, 0x71000005, 1, 0x5a00000000000000n, 0).ret).toBe(H(HRC.H_PARAMETER));
    expect(m.hcall(HCALL.H_PUT_TERM_CHAR, 0x1_00000000n, 1, 0x5a00000000000000n, 0).ret).toBe(H(HRC.H_PARAMETER));
    expect(m.hcall(HCALL.H_GET_TERM_CHAR, 0x71000005).ret).toBe(H(HRC.H_PARAMETER));
    expect(String.fromCharCode(...out)).toBe('XY');
  });

  test('a unit that names a non-vty device -> H_PARAMETER; unit 0 picks the lowest vty', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const outs: string[] = [];
    const vlan = new SpaprVlan(m); // a non-vty at 0x71000000
    new VtyDevice(m, (b) => outs.push('hi:' + String.fromCharCode(...b)), { reg: 0x71000009 });
    new VtyDevice(m, (b) => outs.push('lo:' + String.fromCharCode(...b)), { reg: 0x71000004 });
    registerVtyHcalls(m);
    expect(m.hcall(HCALL.H_PUT_TERM_CHAR, vlan.reg, 1, 0x4300000000000000n, 0).ret).toBe(H(HRC.H_PARAMETER));
    expect(m.hcall(HCALL.H_GET_TERM_CHAR, vlan.reg).ret).toBe(H(HRC.H_PARAMETER));
    expect(m.hcall(HCALL.H_PUT_TERM_CHAR, 0, 1, 0x4100000000000000n, 0).ret).toBe(0n);
    expect(m.hcall(HCALL.H_PUT_TERM_CHAR, 0x71000009, 1, 0x4200000000000000n, 0).ret).toBe(0n);
    expect(outs).toEqual(['lo:A', 'hi:B']);
  });

  test('H_GET_TERM_CHAR: 16-byte buffer, packing, zero padding, interrupt pulse into an empty buffer', () => {
    const { m, vty } = vtyMachine();
    expect(m.hcall(HCALL.H_GET_TERM_CHAR, 0x71000000).out.slice(0, 3)).toEqual([0n, 0n, 0n]);
    expect(vty.receive(new TextEncoder().encode('hello'))).toBe(5);
    expect(vty.slot.state.getNum('irqPulses')).toBe(1);
    expect(vty.receive(new TextEncoder().encode('0123456789abcdefXYZ'))).toBe(11); // 16 - 5 free
    expect(vty.slot.state.getNum('irqPulses')).toBe(1); // buffer was not empty
    const r = m.hcall(HCALL.H_GET_TERM_CHAR, 0x71000000);
    expect(r.ret).toBe(0n);
    expect(r.out[0]).toBe(16n);
    expect(r.out[1]).toBe(0x68656c6c6f303132n); // "hello012"
    expect(r.out[2]).toBe(0x3334353637383961n); // "3456789a"
    expect(vty.receive(Uint8Array.of(0x41))).toBe(1);
    expect(vty.slot.state.getNum('irqPulses')).toBe(2);
    const r2 = m.hcall(HCALL.H_GET_TERM_CHAR, 0);
    expect(r2.out.slice(0, 3)).toEqual([1n, 0x4100000000000000n, 0n]);
  });

  test('a batch ends after a CR followed by NUL (QEMU 7.2, guests/echo.c)', () => {
    const { m, vty } = vtyMachine();
    vty.receive(new TextEncoder().encode('ab\r\0cd\r\0ef\nq'));
    const batches = [];
    for (let i = 0; i < 4; i++) {
      const r = m.hcall(HCALL.H_GET_TERM_CHAR, 0x71000000);
      batches.push(r.out.slice(0, 3));
    }
    expect(batches).toEqual([
      [3n, 0x61620d0000000000n, 0n],
      [4n, 0x0063640d00000000n, 0n],
      [5n, 0x0065660a71000000n, 0n],
      [0n, 0n, 0n],
    ]);
    vty.receive(new TextEncoder().encode('x\ry\r'));
    expect(m.hcall(HCALL.H_GET_TERM_CHAR, 0x71000000).out.slice(0, 3)).toEqual([4n, 0x780d790d00000000n, 0n]);
  });
});

/** Writes an RTAS buffer at `at` and calls H_RTAS; returns the hcall status and the rets. */
function rtasCall(m: Machine, at: number, token: number, args: number[], nret: number) {
  const cells = [token, args.length, nret, ...args, ...new Array(nret).fill(0xdeadbeef)];
  const b = new Uint8Array(cells.length * 4);
  cells.forEach((c, i) => new DataView(b.buffer).setUint32(i * 4, c >>> 0));
  m.writeRam(at, b);
  const ret = m.hcall(HCALL.KVMPPC_H_RTAS, at).ret;
  const back = m.readRam(at, b.length);
  const rets = Array.from({ length: nret }, (_, i) => new DataView(back.buffer).getInt32((3 + args.length + i) * 4));
  return { ret, rets };
}

describe('RTAS through H_RTAS', () => {
  const setup = () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const log: string[] = [];
    const rtas = new Rtas({
      powerOff: () => log.push('off'),
      reboot: () => log.push('reboot'),
      putChar: (c) => { log.push(String.fromCharCode(c)); return true; },
      now: () => Date.UTC(2026, 10, 25, 20, 30, 15, 250),
    });
    rtas.register(m);
    return { m, log, rtas };
  };

  test('tokens are QEMU 7.2\'s', () => {
    expect(rtasToken('display-character')).toBe(0x2000);
    expect(rtasToken('power-off')).toBe(0x2003);
    expect(rtasToken('event-scan')).toBe(0x200f);
    expect(rtasToken('ibm,nmi-interlock')).toBe(0x202c);
  });

  test('get-time-of-day returns the 7 date fields; set-time-of-day moves the guest clock', () => {
    const { m } = setup();
    expect(rtasCall(m, 0x1000, 0x2001, [], 8)).toEqual({ ret: 0n, rets: [0, 2026, 11, 25, 20, 30, 15, 250_000_000] });
    expect(rtasCall(m, 0x1000, 0x2002, [2000, 1, 2, 3, 4, 5, 0], 1).rets).toEqual([0]);
    expect(rtasCall(m, 0x1000, 0x2001, [], 8).rets).toEqual([0, 2000, 1, 2, 3, 4, 5, 0]);
    expect(rtasCall(m, 0x1000, 0x2001, [1], 8).rets[0]).toBe(RTAS_OUT.PARAM_ERROR);
  });

  test('power-off (2 args, 1 ret), system-reboot, display-character, event-scan', () => {
    const { m, log } = setup();
    expect(rtasCall(m, 0x2000, 0x2000, [0x41], 1)).toEqual({ ret: 0n, rets: [0] });
    expect(rtasCall(m, 0x2000, 0x200f, [0xffffffff, 0, 0x3000, 0x800], 1)).toEqual({ ret: 0n, rets: [1] });
    expect(rtasCall(m, 0x2000, 0x2003, [0xffffffff], 1).rets).toEqual([RTAS_OUT.PARAM_ERROR]);
    expect(log).toEqual(['A']);
    expect(rtasCall(m, 0x2000, 0x2003, [0xffffffff, 0xffffffff], 1)).toEqual({ ret: 0n, rets: [0] });
    expect(rtasCall(m, 0x2000, 0x2004, [], 1)).toEqual({ ret: 0n, rets: [0] });
    expect(log).toEqual(['A', 'off', 'reboot']);
  });

  test('unknown or unimplemented token: H_PARAMETER from the hypercall, buffer untouched (QEMU 7.2)', () => {
    const { m, rtas } = setup();
    expect(rtasCall(m, 0x1000, 0x1fff, [], 1)).toEqual({ ret: H(HRC.H_PARAMETER), rets: [0xdeadbeef | 0] });
    expect(rtasCall(m, 0x1000, 0x2008, [0x2c, 0x3000, 0x1000], 1)).toEqual({ ret: H(HRC.H_PARAMETER), rets: [0xdeadbeef | 0] });
    expect(rtas.calls.size).toBe(0);
  });

  test('buffers outside RAM are refused, nothing written; unaligned buffers work', () => {
    const { m } = setup();
    expect(m.hcall(HCALL.KVMPPC_H_RTAS, (1 << 20) - 8).ret).toBe(H(HRC.H_PARAMETER));
    expect(m.hcall(HCALL.KVMPPC_H_RTAS, 1n << 40n).ret).toBe(H(HRC.H_PARAMETER));
    expect(rtasCall(m, 0x1002, 0x200f, [0xffffffff, 0, 0x3000, 0x800], 1)).toEqual({ ret: 0n, rets: [1] });
    // rets would end past RAM
    const at = (1 << 20) - 16;
    const b = new Uint8Array(16);
    new DataView(b.buffer).setUint32(0, 0x2001);
    new DataView(b.buffer).setUint32(8, 8);
    m.writeRam(at, b);
    expect(m.hcall(HCALL.KVMPPC_H_RTAS, at).ret).toBe(H(HRC.H_PARAMETER));
    expect([...m.readRam(at + 12, 4)]).toEqual([0, 0, 0, 0]);
  });
});

describe('createPseries: assembly, entry state, refusals', () => {
  const bios = new Uint8Array(0x1000).fill(0x60);

  test('-bios: vty first at 0x71000000, FDT at r3, QEMU entry registers', () => {
    const p = createPseries({ bios, vlans: [{}] });
    expect(p.vty!.reg).toBe(0x71000000);
    expect(p.vlans[0].reg).toBe(0x71000001);
    expect(p.tree.find('vdevice')!.children.map((c) => c.name)).toEqual(['vty@71000000', 'l-lan@71000001']);
    expect(p.machine.cpu.getBig('nip')).toBe(0x100n);
    expect(p.machine.cpu.getBig('msr')).toBe(0n);
    expect([1, 3, 4, 5].map((r) => p.machine.gpr(r))).toEqual([0n, 0x1fe00000n, 0n, 0n]);
    expect([...p.machine.readRam(0x1fe00000, 4)]).toEqual([0xd0, 0x0d, 0xfe, 0xed]);
    expect([...p.machine.readRam(0, 4)]).toEqual([0x60, 0x60, 0x60, 0x60]);
  });

  test('-kernel without -bios: x-vof convention (r3/r4 = initrd, r5 = client-interface stub)', () => {
    const kernel = new Uint8Array(readFileSync(join(__dirname, '../../guests/prebuilt/hello-be.elf')));
    const p = createPseries({ kernel, initrd: new Uint8Array(0x100), append: 'x=1' });
    expect(p.machine.cpu.getBig('nip')).toBe(0x400000n);
    expect(p.machine.cpu.getBig('msr')).toBe(0n);
    const start = BigInt(p.initrd!.start);
    expect([1, 3, 4, 5].map((r) => p.machine.gpr(r))).toEqual([0xffe0n, start, 0x100n, 0xd80n]);
    expect([...p.machine.readRam(0xd88, 4)]).toEqual([0x60, 0x63, 0xf0, 0x05]); // ori r3,r3,0xf005
    expect(p.fdtAddr).toBeUndefined();
    expect(new TextDecoder().decode(p.tree.find('chosen')!.props.get('bootargs'))).toBe('x=1\0');
  });

  test('several vtys: the lowest unit address is the console; none: no stdout-path, H_PARAMETER', () => {
    const outs: string[] = [];
    const p = createPseries({ bios, vtys: [{ output: (b) => outs.push('a' + String.fromCharCode(...b)), reg: 0x71000010 }, { output: (b) => outs.push('b' + String.fromCharCode(...b)) }] });
    expect(p.vtys.map((v) => v.reg)).toEqual([0x71000010, 0x71000000]);
    expect(p.vty!.reg).toBe(0x71000000);
    expect(new TextDecoder().decode(p.tree.find('chosen')!.props.get('stdout-path'))).toBe('/vdevice/vty@71000000\0');
    expect(p.machine.hcall(HCALL.H_PUT_TERM_CHAR, 0, 1, 0x5a00000000000000n, 0).ret).toBe(0n);
    expect(p.machine.hcall(HCALL.H_PUT_TERM_CHAR, 0x71000010, 1, 0x5900000000000000n, 0).ret).toBe(0n);
    expect(outs).toEqual(['bZ', 'aY']);
    const q = createPseries({ bios, vtys: [] });
    expect(q.tree.find('chosen')!.props.has('stdout-path')).toBe(false);
    expect(q.machine.hcall(HCALL.H_PUT_TERM_CHAR, 0, 1, 0x5a00000000000000n, 0).ret).toBe(H(HRC.H_PARAMETER));
    expect(() => q.input('x')).toThrow(/no console/);
  });

  test('refuses what QEMU refuses, with its words', () => {
    expect(() => createPseries({ bios, append: 'x' })).toThrow('-append only allowed with -kernel option');
    expect(() => createPseries({ bios, initrd: new Uint8Array(1) })).toThrow('-initrd only allowed with -kernel option');
    expect(() => createPseries({})).toThrow(/nothing to boot/);
  });

  test('console input is queued and fed into the 16-byte vty buffer as the guest drains it', () => {
    const p = createPseries({ bios });
    p.input('0123456789abcdefghij');
    const m = p.machine;
    expect(p.vty!.backlogLength).toBe(4);
    const r1 = m.hcall(HCALL.H_GET_TERM_CHAR, 0x71000000);
    expect(r1.out[0]).toBe(16n);
    expect(p.vty!.backlogLength).toBe(0); // the poll after the hypercall refilled the buffer
    const r2 = m.hcall(HCALL.H_GET_TERM_CHAR, 0x71000000);
    expect(r2.out.slice(0, 3)).toEqual([4n, 0x6768696a00000000n, 0n]);
  });

  test('RTAS power-off stops the machine with exit status 0 and ends the CPU slice', () => {
    const p = createPseries({ bios });
    const m = p.machine;
    m.writeRam(0x3000, Uint8Array.of(0, 0, 0x20, 0x03, 0, 0, 0, 2, 0, 0, 0, 1, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 9, 9, 9, 9));
    expect(m.hcall(HCALL.KVMPPC_H_RTAS, 0x3000).ret).toBe(0n);
    expect([...m.readRam(0x3014, 4)]).toEqual([0, 0, 0, 0]);
    expect(p.stopped).toBe('power-off');
    expect(p.exitStatus).toBe(0);
    expect(m.state.getNum('exitReason')).toBe(4); // EXIT_HALT
  });
});

describe.skipIf(!hasLpcr(new Machine({ ramSize: 1 << 20 })))('H_SET_MODE (needs the CPU\'s LPCR)', () => {
  test('resource 4 sets/clears LPCR[ILE]; bad values and flags are refused', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    expect(registerHSetMode(m)).toBe(true);
    expect(registerHSetMode(m)).toBe(false);
    const lpcr0 = m.cpu.getBig('lpcr');
    expect(m.hcall(HCALL.H_SET_MODE, 1, 4, 0, 0).ret).toBe(0n);
    expect(m.cpu.getBig('lpcr')).toBe(lpcr0 | LPCR_ILE);
    expect(m.hcall(HCALL.H_SET_MODE, 0, 4, 0, 0).ret).toBe(0n);
    expect(m.cpu.getBig('lpcr')).toBe(lpcr0 & ~LPCR_ILE);
    expect(m.hcall(HCALL.H_SET_MODE, 2, 4, 0, 0).ret).toBe(H(HRC.H_UNSUPPORTED_FLAG));
    expect(m.hcall(HCALL.H_SET_MODE, 1, 4, 1, 0).ret).toBe(H(HRC.H_P3));
    expect(m.hcall(HCALL.H_SET_MODE, 1, 4, 0, 1).ret).toBe(H(HRC.H_P4));
    expect(m.hcall(HCALL.H_SET_MODE, 1, 9, 0, 0).ret).toBe(H(HRC.H_P2));
    expect(m.hcall(HCALL.H_SET_MODE, 3, 3, 0, 0).ret).toBe(0n);
    expect((m.cpu.getBig('lpcr') >> 23n) & 3n).toBe(3n);
    expect(m.hcall(HCALL.H_SET_MODE, 1, 3, 0, 0).ret).toBe(H(HRC.H_UNSUPPORTED_FLAG));
  });
});

describe('system reset (system-reboot)', () => {
  const rebootCall = (p: ReturnType<typeof createPseries>): void => {
    p.machine.writeRam(0x3000, Uint8Array.of(0, 0, 0x20, 0x04, 0, 0, 0, 0, 0, 0, 0, 1, 9, 9, 9, 9));
    expect(p.machine.hcall(HCALL.KVMPPC_H_RTAS, 0x3000).ret).toBe(0n);
  };

  test('reset() copies the images and the tree in again and restores the entry state', () => {
    const bios = new Uint8Array(0x1000).fill(0x60);
    const p = createPseries({ bios });
    rebootCall(p);
    expect(p.stopped).toBe('reboot');
    p.machine.writeRam(0x100, [0, 0, 0, 0]);
    p.machine.writeRam(0x1fe00000, [0, 0, 0, 0]);
    p.machine.cpu.set('nip', 0x1234n);
    p.machine.setGpr(3, 0);
    p.machine.writeRam(0x200000, [7]); // ordinary RAM keeps its contents
    p.reset();
    expect([...p.machine.readRam(0x100, 4)]).toEqual([0x60, 0x60, 0x60, 0x60]);
    expect([...p.machine.readRam(0x1fe00000, 4)]).toEqual([0xd0, 0x0d, 0xfe, 0xed]);
    expect(p.machine.cpu.getBig('nip')).toBe(0x100n);
    expect(p.machine.gpr(3)).toBe(0x1fe00000n);
    expect([...p.machine.readRam(0x200000, 1)]).toEqual([7]);
    expect(p.stopped).toBeUndefined();
    expect(p.reboots).toBe(1);
  });

  test.skipIf(!createPseries({ bios: new Uint8Array(0x200) }).hasCpu)('run(): reboot resets and boots again; -no-reboot ends the run', () => {
    const img = new Uint8Array(readFileSync(join(__dirname, '../../guests/prebuilt/hello-be.bin')));
    const p = createPseries({ bios: img });
    rebootCall(p);
    expect(p.run({ maxInsns: 50_000_000 }).reason).toBe('power-off');
    expect(p.reboots).toBe(1);
    const q = createPseries({ bios: img, noReboot: true });
    rebootCall(q);
    expect(q.run({ maxInsns: 50_000_000 })).toEqual({ reason: 'reboot', insns: 0n });
  });
});
