// DMA through the TCE window (spec 1.3, 3.6): frames and descriptors that span pages mapped to
// non-adjacent real pages, permissions changed after H_ADD, and the window end.
import { describe, expect, test } from 'vitest';
import { fixture, BD, H, U } from './fixture.js';

describe('DMA through the TCE window', () => {
  test('RX into a buffer whose pages map to scattered real pages; correlator across a page boundary', () => {
    const fx = fixture();
    fx.reg();
    // Buffer at IOVA 0x10ffc..: page 0x10000 -> real 0x300000, page 0x11000 -> real 0x200000 (reversed order).
    expect(fx.hc(H.H_PUT_TCE, U, 0x10000, 0x300003)).toBe(0n);
    expect(fx.hc(H.H_PUT_TCE, U, 0x11000, 0x200003)).toBe(0n);
    fx.m.writeRam(0x300ffc, [1, 2, 3, 4]);
    fx.m.writeRam(0x200000, [5, 6, 7, 8]);
    expect(fx.m.hcall(H.H_ADD_LOGICAL_LAN_BUFFER, U, BD(0x200, 0x10ffc)).ret).toBe(0n);
    const f = fx.frame(300, 0x40);
    fx.dev.deliver(f);
    expect(fx.rq(8, 16)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // frame starts at IOVA 0x11004 = real 0x200004 (entirely in the second page)
    expect([...fx.m.readRam(0x200004, 300)]).toEqual([...f]);
    // A frame straddling the boundary: buffer at 0x10f00, frame from 0x10f08 (0xf8 bytes in page 1).
    expect(fx.m.hcall(H.H_ADD_LOGICAL_LAN_BUFFER, U, BD(0x400, 0x10f00)).ret).toBe(0n);
    const g = fx.frame(600, 0x11);
    fx.dev.deliver(g);
    expect([...fx.m.readRam(0x300f08, 0xf8)]).toEqual([...g.subarray(0, 0xf8)]);
    expect([...fx.m.readRam(0x200000, 600 - 0xf8)]).toEqual([...g.subarray(0xf8)]);
  });

  test('TX gathers across scattered pages', () => {
    const fx = fixture();
    fx.reg();
    expect(fx.hc(H.H_PUT_TCE, U, 0x10000, 0x300001)).toBe(0n);
    expect(fx.hc(H.H_PUT_TCE, U, 0x11000, 0x200001)).toBe(0n);
    fx.m.writeRam(0x300ff0, Array.from({ length: 16 }, (_, i) => i));
    fx.m.writeRam(0x200000, Array.from({ length: 16 }, (_, i) => 16 + i));
    expect(fx.m.hcall(H.H_SEND_LOGICAL_LAN, U, BD(32, 0x10ff0), 0, 0, 0, 0, 0, 0, 0).ret).toBe(0n);
    expect([...fx.dev.takeTransmitted()[0]]).toEqual(Array.from({ length: 32 }, (_, i) => i));
  });

  test('a buffer page made read-only after H_ADD: the frame is dropped and the buffer lost (Q11)', () => {
    const fx = fixture();
    fx.reg();
    fx.map(0x10000);
    expect(fx.add(0x200, 0x10000)).toBe(0n);
    fx.map(0x10000, 1);
    fx.dev.deliver(fx.frame(60));
    expect(fx.dev.counters()).toMatchObject({ rxDmaDropped: 1n, rxFrames: 0n });
    expect(fx.rq(0, 16)).toEqual(new Array(16).fill(0));
    expect(fx.mem(0x10008, 60)).toEqual(new Array(60).fill(0));
  });

  test('a TCE pointing past guest RAM never reaches emulator memory', () => {
    const fx = fixture();
    fx.reg();
    const ram = fx.m.ramSize;
    // Last RAM page, and the page just past RAM.
    expect(fx.hc(H.H_PUT_TCE, U, 0x10000, BigInt(ram - 4096) | 3n)).toBe(0n);
    expect(fx.hc(H.H_PUT_TCE, U, 0x11000, BigInt(ram) | 3n)).toBe(0n);
    expect(fx.add(0x1000, 0x10000)).toBe(0n);
    expect(fx.add(0x2000, 0x10000)).toBe(-4n); // second page is outside RAM: not DMA-valid
    expect(fx.add(0x10, 0x11000)).toBe(-4n);
    expect(fx.m.hcall(H.H_SEND_LOGICAL_LAN, U, BD(8, 0x11000), 0, 0, 0, 0, 0, 0, 0).ret).toBe(-14n);
    const after = new Uint8Array(fx.m.memory.buffer, fx.m.memory.buffer.byteLength - 16, 16).slice();
    expect([...after]).toEqual(new Array(16).fill(0));
  });
});
