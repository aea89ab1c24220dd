// spec 9 scenarios 39-60: TX, misc hcalls, TCE, reset, device tree, migration (with the migration module).
import { describe, expect, test } from 'vitest';
import { fixture, BD, H, R, U, NO_DEV, BL, FL, RQD, GPA_OFFSET } from './fixture.js';
import { VIO_KIND } from '../../host-ts/layout/papr.js';
import type { Machine } from '../../host-ts/machine/machine.js';
import { dtCells } from '../../host-ts/devtree/dt-node.js';
import { saveMachine, loadMachine, MigrationError } from '../../host-ts/migration/index.js';
import '../../host-ts/migration/builtin-hooks.js';
import { records } from '../migration/stream-util.js';

const send = (fx: ReturnType<typeof fixture>, ...bds: (bigint | number)[]) => {
  const args = [...bds, 0, 0, 0, 0, 0, 0].slice(0, 6);
  return fx.m.hcall(H.H_SEND_LOGICAL_LAN, U, ...args, 0, 0);
};

/** A vty-kind VIO slot (signal mask 0, no DMA) at `reg`, standing in for the console device. */
function addVty(m: Machine, reg: number): void {
  m.vio.allocate({ kind: VIO_KIND.VIO_KIND_VTY, reg, signalMask: 0n, dma: false, kindIndex: 0 });
}

function txFixture() {
  const fx = fixture();
  fx.reg();
  fx.mapRange(0x10000, 0x20000);
  return fx;
}

describe('spec 9: TX', () => {
  test('39: H_SEND on a closed device -> H_DROPPED; unknown unit -> H_PARAMETER', () => {
    const fx = fixture();
    fx.map(0x10000);
    expect(send(fx, BD(60, 0x10000)).ret).toBe(R.H_DROPPED);
    expect(fx.m.hcall(H.H_SEND_LOGICAL_LAN, NO_DEV, BD(60, 0x10000)).ret).toBe(R.H_PARAMETER);
    expect(fx.dev.takeTransmitted()).toEqual([]);
  });

  test('40: a continue token -> H_HARDWARE, nothing sent', () => {
    const fx = txFixture();
    expect(fx.m.hcall(H.H_SEND_LOGICAL_LAN, U, BD(60, 0x10000), 0, 0, 0, 0, 0, 1, 0).ret).toBe(R.H_HARDWARE);
    expect(fx.dev.takeTransmitted()).toEqual([]);
  });

  test('41: one descriptor: exactly its bytes are sent', () => {
    const fx = txFixture();
    const f = fx.frame(60, 3);
    fx.write(0x10000, f);
    expect(send(fx, BD(60, 0x10000)).ret).toBe(0n);
    expect(fx.dev.takeTransmitted()).toEqual([f]);
    expect(fx.dev.counters()).toMatchObject({ txFrames: 1n, txBytes: 60n });
  });

  test('42: gather stops at the first invalid descriptor', () => {
    const fx = txFixture();
    fx.write(0x10000, fx.frame(14, 1));
    fx.write(0x11000, fx.frame(46, 100));
    fx.write(0x12000, fx.frame(100, 7));
    expect(send(fx, BD(14, 0x10000), BD(46, 0x11000), 0, BD(100, 0x12000)).ret).toBe(0n);
    expect(fx.dev.takeTransmitted()).toEqual([Uint8Array.from([...fx.frame(14, 1), ...fx.frame(46, 100)])]);
  });

  test('43: first descriptor invalid, or zero total length -> H_SUCCESS, nothing sent', () => {
    const fx = txFixture();
    expect(send(fx, 0, BD(60, 0x10000)).ret).toBe(0n);
    expect(send(fx, BD(0, 0x10000)).ret).toBe(0n);
    expect(fx.dev.takeTransmitted()).toEqual([]);
    // spec 12: a zero-length VALID descriptor in the middle is skipped and the walk goes on.
    fx.write(0x10000, [1, 2]);
    fx.write(0x11000, [3]);
    expect(send(fx, BD(2, 0x10000), BD(0, 0x12000), BD(1, 0x11000)).ret).toBe(0n);
    expect(fx.dev.takeTransmitted()).toEqual([Uint8Array.from([1, 2, 3])]);
  });

  test('44: more than 65536 bytes -> H_RESOURCE; exactly 65536 -> one frame', () => {
    const fx = txFixture();
    expect(send(fx, BD(40000, 0x10000), BD(40000, 0x20000)).ret).toBe(R.H_RESOURCE);
    expect(fx.dev.takeTransmitted()).toEqual([]);
    const big = Uint8Array.from({ length: 65536 }, (_, i) => (i * 13) & 0xff);
    fx.write(0x10000, big);
    expect(send(fx, BD(32768, 0x10000), BD(32768, 0x18000)).ret).toBe(0n);
    const sent = fx.dev.takeTransmitted();
    expect(sent.length).toBe(1);
    expect(Buffer.from(sent[0]).equals(big)).toBe(true);
  });

  test('45: TX needs read permission: unmapped / write-only -> H_DEST_PARM, read-only -> sent', () => {
    const fx = txFixture();
    expect(send(fx, BD(60, 0x40000)).ret).toBe(R.H_DEST_PARM);
    fx.map(0x40000, 1);
    expect(send(fx, BD(60, 0x40000)).ret).toBe(0n);
    fx.map(0x40000, 2);
    expect(send(fx, BD(60, 0x40000)).ret).toBe(R.H_DEST_PARM);
    expect(fx.dev.takeTransmitted().map((f) => f.length)).toEqual([60]);
  });

  test('46: registers r4..r12 keep their inputs; TX flag bits do not change the bytes; no interrupt', () => {
    const fx = txFixture();
    expect(fx.hc(H.H_VIO_SIGNAL, U, 1)).toBe(0n);
    const f = fx.frame(60, 9);
    fx.write(0x10000, f);
    const args = [BD(60, 0x10000) | 0x0700_0000_0000_0000n, 0n, 0n, 0n, 0n, 0n, 0n, 1460n];
    const r = fx.m.hcall(H.H_SEND_LOGICAL_LAN, U, ...args);
    expect(r.ret).toBe(0n);
    expect(r.out).toEqual([BigInt(U), ...args]);
    expect(fx.dev.takeTransmitted()).toEqual([f]);
    expect(fx.dev.irqPulses).toBe(0);
  });
});

describe('spec 9: misc hcalls', () => {
  test('47: H_MULTICAST_CTRL accepts any VIO device', () => {
    const fx = fixture();
    addVty(fx.m, 0x71000000);
    expect(fx.hc(H.H_MULTICAST_CTRL, U, 0xe0000, 0)).toBe(0n);
    expect(fx.hc(H.H_MULTICAST_CTRL, 0x71000000, 0xe0000, 0)).toBe(0n);
    expect(fx.hc(H.H_MULTICAST_CTRL, NO_DEV, 0xe0000, 0)).toBe(R.H_PARAMETER);
  });

  test('48: H_CHANGE_LOGICAL_LAN_MAC; H_FREE and reset restore the configured MAC', () => {
    const fx = fixture();
    expect(fx.hc(H.H_CHANGE_LOGICAL_LAN_MAC, U, 0x0000_1122_3344_5566n)).toBe(0n);
    expect([...fx.dev.mac]).toEqual([0x11, 0x22, 0x33, 0x44, 0x55, 0x66]);
    fx.reg();
    expect(fx.hc(H.H_FREE_LOGICAL_LAN, U)).toBe(0n);
    expect([...fx.dev.mac]).toEqual([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    expect(fx.hc(H.H_CHANGE_LOGICAL_LAN_MAC, U, 0xffff_0a0b_0c0d_0e0fn)).toBe(0n);
    expect([...fx.dev.mac]).toEqual([0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f]);
    fx.m.reset();
    expect([...fx.dev.mac]).toEqual([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    expect(fx.hc(H.H_CHANGE_LOGICAL_LAN_MAC, NO_DEV, 1)).toBe(R.H_PARAMETER);
  });

  test('49: QEMU setting: H_ILLAN_ATTRIBUTES, 0x248 and 0x11D -> H_FUNCTION, r4 unchanged', () => {
    const fx = fixture({ addBuffersHcall: false });
    fx.reg();
    fx.map(0x10000);
    let r = fx.m.hcall(H.H_ILLAN_ATTRIBUTES, U, 0, 0);
    expect(r.ret).toBe(R.H_FUNCTION);
    expect(r.out[0]).toBe(BigInt(U));
    r = fx.m.hcall(H.H_ADD_LOGICAL_LAN_BUFFERS, U, BD(0x200, 0x10000), BD(0x200, 0x10000));
    expect(r.ret).toBe(R.H_FUNCTION);
    expect(fx.dev.rxBufs).toBe(0);
    expect(fx.m.hcall(0x11d, U, 0).ret).toBe(R.H_FUNCTION);
  });

  test('50: every device hcall in problem state -> H_PRIVILEGE with no side effect', () => {
    const fx = fixture();
    fx.map(0x10000);
    fx.m.cpu.set('msr', 1n << 14n);
    const calls: [number, ...(number | bigint)[]][] = [
      [H.H_REGISTER_LOGICAL_LAN, U, BL, RQD, FL, 0], [H.H_FREE_LOGICAL_LAN, U],
      [H.H_ADD_LOGICAL_LAN_BUFFER, U, BD(0x200, 0x10000)], [H.H_SEND_LOGICAL_LAN, U, BD(60, 0x10000)],
      [H.H_MULTICAST_CTRL, U, 0, 0], [H.H_CHANGE_LOGICAL_LAN_MAC, U, 0x112233445566n], [H.H_VIO_SIGNAL, U, 1],
      [H.H_PUT_TCE, U, 0x10000, 0], [H.H_GET_TCE, U, 0x10000], [H.H_STUFF_TCE, U, 0x10000, 0, 1],
      [H.H_PUT_TCE_INDIRECT, U, 0x10000, 0, 1], [H.H_ILLAN_ATTRIBUTES, U, 0, 0],
      [H.H_ADD_LOGICAL_LAN_BUFFERS, U, BD(0x200, 0x10000)],
    ];
    for (const [op, ...args] of calls) {
      const r = fx.m.hcall(op, ...args);
      expect(r.ret, `opcode 0x${op.toString(16)}`).toBe(R.H_PRIVILEGE);
      expect(r.out[0]).toBe(BigInt(U));
    }
    fx.m.cpu.set('msr', 0n);
    expect(fx.dev.isOpen).toBe(false);
    expect(fx.dev.signalState).toBe(0n);
    expect(fx.dev.tce(0x10000)).toBe(BigInt(0x10000 + GPA_OFFSET) | 3n);
    expect([...fx.dev.mac]).toEqual([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    expect(fx.bl(0, 16)).toEqual(new Array(16).fill(0));
  });

  test('51: H_REGISTER on the unit of a vty -> H_PARAMETER (Q6)', () => {
    const fx = fixture();
    addVty(fx.m, 0x71000000);
    expect(fx.hc(H.H_REGISTER_LOGICAL_LAN, 0x71000000, BL, RQD, FL, 0)).toBe(R.H_PARAMETER);
    expect(fx.hc(H.H_FREE_LOGICAL_LAN, 0x71000000)).toBe(R.H_PARAMETER);
    expect(fx.hc(H.H_VIO_SIGNAL, 0x71000000, 1)).toBe(R.H_PARAMETER); // vty signal mask is 0 (spec 12)
  });
});

describe('spec 9: TCE', () => {
  test('52: H_PUT_TCE rounds the ioba down; H_GET_TCE returns the stored value', () => {
    const fx = fixture();
    expect(fx.hc(H.H_PUT_TCE, U, 0x1234, 0x0000_0000_0200_0003n)).toBe(0n);
    const r = fx.m.hcall(H.H_GET_TCE, U, 0x1fff);
    expect(r.ret).toBe(0n);
    expect(r.out[0]).toBe(0x2000003n);
  });

  test('53: window end, LIOBN high bits, unknown LIOBN -> H_PARAMETER; r4 unchanged', () => {
    const fx = fixture();
    expect(fx.hc(H.H_PUT_TCE, U, 0x1000_0000, 3)).toBe(R.H_PARAMETER);
    expect(fx.hc(H.H_PUT_TCE, 0x1_7100_0002n, 0, 3)).toBe(R.H_PARAMETER);
    expect(fx.dev.tce(0)).toBe(0n);
    const r = fx.m.hcall(H.H_GET_TCE, NO_DEV, 0x1000);
    expect(r.ret).toBe(R.H_PARAMETER);
    expect(r.out[0]).toBe(BigInt(NO_DEV));
  });

  test('54: H_STUFF_TCE: npages 0 or > window -> H_PARAMETER; stops at the window end', () => {
    const fx = fixture();
    const v = 0x55000003n;
    expect(fx.hc(H.H_STUFF_TCE, U, 0x2000, v, 0)).toBe(R.H_PARAMETER);
    expect(fx.dev.tce(0x2000)).toBe(BigInt(FL + GPA_OFFSET) | 3n);
    expect(fx.hc(H.H_STUFF_TCE, U, 0, v, 65537)).toBe(R.H_PARAMETER);
    expect(fx.dev.tce(0)).toBe(0n);
    expect(fx.hc(H.H_STUFF_TCE, U, 0x0fff_e000, v, 3)).toBe(R.H_PARAMETER);
    expect([fx.dev.tce(0x0fff_e000), fx.dev.tce(0x0fff_f000)]).toEqual([v, v]);
    expect(fx.hc(H.H_STUFF_TCE, U, 0x8000, v, 4)).toBe(0n);
    expect([0x8000, 0x9000, 0xa000, 0xb000, 0xc000].map((a) => fx.dev.tce(a))).toEqual([v, v, v, v, 0n]);
  });

  test('55: H_PUT_TCE_INDIRECT: > 512 pages, unaligned list, npages 0 -> H_PARAMETER', () => {
    const fx = fixture();
    expect(fx.hc(H.H_PUT_TCE_INDIRECT, U, 0, 0x8000, 513)).toBe(R.H_PARAMETER);
    expect(fx.hc(H.H_PUT_TCE_INDIRECT, U, 0, 0x8008, 1)).toBe(R.H_PARAMETER);
    const L = 0x9000;
    fx.m.writeBe64(L, 0x1111_0003n);
    fx.m.writeBe64(L + 8, 0x2222_0001n);
    expect(fx.hc(H.H_PUT_TCE_INDIRECT, U, 0x5000, L, 2)).toBe(0n);
    expect([fx.dev.tce(0x5000), fx.dev.tce(0x6000)]).toEqual([0x1111_0003n, 0x2222_0001n]);
    expect(fx.hc(H.H_PUT_TCE_INDIRECT, U, 0x5000, L, 0)).toBe(R.H_PARAMETER);
    // A list outside guest RAM never reaches emulator memory.
    expect(fx.hc(H.H_PUT_TCE_INDIRECT, U, 0x5000, 4 << 20, 1)).toBe(R.H_PARAMETER);
    expect(fx.dev.tce(0x5000)).toBe(0x1111_0003n);
  });
});

describe('spec 9: reset / device tree', () => {
  test('56: machine reset while open with pools holding buffers', () => {
    const fx = fixture();
    fx.reg();
    fx.mapRange(0x10000, 0x2000);
    expect(fx.hc(H.H_VIO_SIGNAL, U, 1)).toBe(0n);
    expect(fx.add(0x200, 0x10000)).toBe(0n);
    expect(fx.add(0x800, 0x11000)).toBe(0n);
    fx.m.reset();
    expect(fx.dev.isOpen).toBe(false);
    for (let a = 0; a < 0x10000000; a += 0x1000) if (fx.dev.tce(a) !== 0n) throw new Error(`TCE at 0x${a.toString(16)} not zeroed`);
    expect(fx.dev.signalState).toBe(0n);
    expect(fx.dev.pools().map((p) => [p.bufSize, p.count])).toEqual(new Array(5).fill([0x7fffffff, 0]));
    expect(fx.dev.state.getBig('poolBds', 0)).toBe(0n);
    expect(fx.dev.rxBufs).toBe(0);
    fx.map(0x10000);
    expect(fx.add(0x200, 0x10000)).toBe(R.H_RESOURCE);
  });

  test('57: l-lan node properties; 6- vs 8-byte local-mac-address', () => {
    const fx = fixture();
    const n = fx.dev.dtNode();
    expect(n.name).toBe('l-lan@71000002');
    const p = (k: string) => [...n.props.get(k)!];
    expect(p('local-mac-address')).toEqual([0x52, 0x54, 0x00, 0x12, 0x34, 0x56]);
    expect(p('ibm,my-dma-window')).toEqual([...dtCells([0x71000002, 0, 0, 0, 0x10000000])]);
    expect(p('ibm,mac-address-filters')).toEqual([0, 0, 0, 0]);
    expect(p('interrupts')).toEqual([...dtCells([fx.dev.irq, 0])]);
    expect(fx.dev.irq).toBe(0x1102);
    expect(p('reg')).toEqual([...dtCells([0x71000002])]);
    expect(new TextDecoder().decode(n.props.get('device_type'))).toBe('network\0');
    expect(new TextDecoder().decode(n.props.get('compatible'))).toBe('IBM,l-lan\0');
    expect(p('ibm,#dma-address-cells')).toEqual([...dtCells([2])]);
    expect(p('ibm,#dma-size-cells')).toEqual([...dtCells([2])]);
    const g = fixture({ mac: '00:11:22:33:44:55' });
    expect([...g.dev.dtNode().props.get('local-mac-address')!]).toEqual([0, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55]);
    expect(fx.m.vio.dtNode().find('l-lan@71000002')).toBeDefined();
  });
});

describe('spec 9: migration (device state through the machine stream)', () => {
  /** Pools stream records of the vlan section: the subsection is present iff 'rx_pools' appears. */
  const hasPoolSubsection = (stream: Uint8Array): boolean => {
    const rec = records(stream).find((r) => r.name === 'vlan')!;
    return Buffer.from(stream.subarray(rec.at, rec.at + rec.len)).includes(Buffer.from('rx_pools'));
  };

  test('58: pools on: the pool subsection is sent; after restore LIFO is preserved', () => {
    const src = fixture();
    src.reg();
    src.mapRange(0x10000, 0x3000);
    const d1 = BD(0x200, 0x10000), d2 = BD(0x200, 0x11000), d3 = BD(0x800, 0x12000);
    src.write(0x10000, [1]); src.write(0x11000, [2]); src.write(0x12000, [3]);
    for (const d of [d1, d2, d3]) expect(src.hc(H.H_ADD_LOGICAL_LAN_BUFFER, U, d)).toBe(0n);
    const stream = saveMachine(src.m);
    expect(hasPoolSubsection(stream)).toBe(true);
    const dst = fixture();
    loadMachine(dst.m, stream);
    const pools = dst.dev.pools();
    expect(pools.map((p) => [p.bufSize, p.count])).toEqual([[0x200, 2], [0x800, 1], [0x7fffffff, 0], [0x7fffffff, 0], [0x7fffffff, 0]]);
    expect(pools[0].bds).toEqual([d1, d2]);
    expect(pools[1].bds).toEqual([d3]);
    expect(dst.dev.state.getBig('poolBds', 2)).toBe(0n);
    dst.dev.deliver(dst.frame(100));
    expect(dst.rq(0, 16)).toEqual([0xc0, 0, 0, 8, 0, 0, 0, 100, 2, 0, 0, 0, 0, 0, 0, 0]);
  });

  test('59: pools off: no pool subsection; legacy add/use pointers continue from the same slots', () => {
    const src = fixture({ useRxBufferPools: false });
    src.reg();
    src.mapRange(0x10000, 0x3000);
    for (let i = 0; i < 3; i++) expect(src.add(0x200, 0x10000 + i * 0x1000)).toBe(0n);
    src.dev.deliver(src.frame(60)); // takes slot 16, use_ptr = 16
    const stream = saveMachine(src.m);
    expect(hasPoolSubsection(stream)).toBe(false);
    const dst = fixture({ useRxBufferPools: false });
    loadMachine(dst.m, stream);
    expect([dst.dev.state.getNum('addBufPtr'), dst.dev.state.getNum('useBufPtr'), dst.dev.rxBufs]).toEqual([32, 16, 2]);
    expect(dst.add(0x200, 0x10000)).toBe(0n);
    expect(dst.bl(40, 48)).toEqual([0x80, 0, 2, 0, 0, 1, 0, 0]); // the slot after the last add (32)
    dst.dev.deliver(dst.frame(61));
    expect(dst.bl(24, 32)).toEqual(new Array(8).fill(0)); // the scan continued after use_ptr: slot 24
    expect(dst.rq(16, 24)).toEqual([0xc0, 0, 0, 8, 0, 0, 0, 61]);
  });

  test('60: a pools/legacy mismatch is rejected and the destination is untouched', () => {
    for (const [from, to] of [[true, false], [false, true]]) {
      const src = fixture({ useRxBufferPools: from });
      src.reg();
      src.map(0x10000);
      expect(src.add(0x200, 0x10000)).toBe(0n);
      const dst = fixture({ useRxBufferPools: to });
      const before = Buffer.from(dst.m.memory.buffer.slice(0));
      expect(() => loadMachine(dst.m, saveMachine(src.m))).toThrow(MigrationError);
      expect(Buffer.from(dst.m.memory.buffer).equals(before)).toBe(true);
      expect(dst.dev.isOpen).toBe(false);
    }
  });
});
