// spec 9 scenarios 1-18: registration, free, H_ADD_LOGICAL_LAN_BUFFER.
import { describe, expect, test } from 'vitest';
import { fixture, BD, H, R, U, NO_DEV, BL, FL, RQ, RQD, be64 } from './fixture.js';

describe('spec 9: registration / free', () => {
  test('1: H_REGISTER on a unit with no device -> H_PARAMETER, no memory written', () => {
    const fx = fixture();
    fx.write(BL, new Array(4096).fill(0xaa));
    fx.write(RQ, new Array(256).fill(0xbb));
    expect(fx.hc(H.H_REGISTER_LOGICAL_LAN, NO_DEV, BL, RQD, FL, 0)).toBe(R.H_PARAMETER);
    expect(fx.bl(0, 4096)).toEqual(new Array(4096).fill(0xaa));
    expect(fx.rq(0, 256)).toEqual(new Array(256).fill(0xbb));
    expect(fx.dev.isOpen).toBe(false);
  });

  test('2: REG writes the queue and filter descriptors, zeroes BL[16..4096) and the queue', () => {
    const fx = fixture();
    fx.write(BL, new Array(4096).fill(0x5a));
    fx.write(RQ, new Array(256).fill(0x77));
    fx.reg();
    expect(fx.bl(0, 8)).toEqual([0x80, 0, 0x01, 0, 0, 0, 0x30, 0]);
    expect(fx.bl(8, 16)).toEqual([0x80, 0, 0x10, 0, 0, 0, 0x20, 0]);
    expect(fx.bl(16, 4096)).toEqual(new Array(4080).fill(0));
    expect(fx.rq(0, 256)).toEqual(new Array(256).fill(0));
    expect(fx.dev.signalState).toBe(0n);
    expect(fx.dev.isOpen).toBe(true);
  });

  test('3: REG twice -> H_RESOURCE, memory unchanged by the second call', () => {
    const fx = fixture();
    fx.reg();
    fx.write(BL + 16, [1, 2, 3, 4]);
    fx.write(RQ, [9, 9]);
    const bl = fx.bl(0, 4096), rq = fx.rq(0, 256);
    expect(fx.hc(H.H_REGISTER_LOGICAL_LAN, U, BL, RQD, FL, 0)).toBe(R.H_RESOURCE);
    expect(fx.bl(0, 4096)).toEqual(bl);
    expect(fx.rq(0, 256)).toEqual(rq);
  });

  test('4: buffer-list IOBA misaligned, unmapped, or read-only -> H_PARAMETER', () => {
    const fx = fixture();
    expect(fx.hc(H.H_REGISTER_LOGICAL_LAN, U, 0x1008, RQD, FL, 0)).toBe(R.H_PARAMETER);
    expect(fx.hc(H.H_REGISTER_LOGICAL_LAN, U, 0x5000, RQD, FL, 0)).toBe(R.H_PARAMETER);
    fx.map(0x5000, 1);
    expect(fx.hc(H.H_REGISTER_LOGICAL_LAN, U, 0x5000, RQD, FL, 0)).toBe(R.H_PARAMETER);
    expect(fx.dev.isOpen).toBe(false);
  });

  test('5: filter IOBA misaligned or unmapped -> H_PARAMETER', () => {
    const fx = fixture();
    expect(fx.hc(H.H_REGISTER_LOGICAL_LAN, U, BL, RQD, 0x2010, 0)).toBe(R.H_PARAMETER);
    expect(fx.hc(H.H_REGISTER_LOGICAL_LAN, U, BL, RQD, 0x6000, 0)).toBe(R.H_PARAMETER);
    expect(fx.dev.isOpen).toBe(false);
  });

  test('6: RX-queue descriptor without VALID, misaligned, bad length, or reaching an unmapped page -> H_PARAMETER', () => {
    const fx = fixture();
    for (const rqd of [0x0000_0100_0000_3000n, 0x8000_0100_0000_3008n, 0x8000_0108_0000_3000n, 0x8000_2000_0000_3000n]) {
      expect(fx.hc(H.H_REGISTER_LOGICAL_LAN, U, BL, rqd, FL, 0)).toBe(R.H_PARAMETER);
    }
    expect(fx.dev.isOpen).toBe(false);
  });

  test('7: RX-queue descriptor with TOGGLE set: stored with TOGGLE cleared; first entry control 0xC0', () => {
    const fx = fixture();
    fx.reg(0xc000_0100_0000_3000n);
    expect(fx.bl(0, 8)).toEqual([0x80, 0, 0x01, 0, 0, 0, 0x30, 0]);
    fx.map(0x10000);
    expect(fx.add(0x200, 0x10000)).toBe(0n);
    fx.dev.deliver(fx.frame(60));
    expect(fx.rq(0, 1)).toEqual([0xc0]);
  });

  test('8: H_FREE never registered -> H_RESOURCE; unknown unit -> H_PARAMETER', () => {
    const fx = fixture();
    expect(fx.hc(H.H_FREE_LOGICAL_LAN, U)).toBe(R.H_RESOURCE);
    expect(fx.hc(H.H_FREE_LOGICAL_LAN, NO_DEV)).toBe(R.H_PARAMETER);
  });

  test('9: after H_FREE: H_ADD -> H_RESOURCE, H_SEND -> H_DROPPED; REG again re-zeroes the counter', () => {
    const fx = fixture();
    fx.map(0x10000);
    fx.reg();
    expect(fx.hc(H.H_FREE_LOGICAL_LAN, U)).toBe(R.H_SUCCESS);
    expect(fx.add(0x200, 0x10000)).toBe(R.H_RESOURCE);
    expect(fx.hc(H.H_SEND_LOGICAL_LAN, U, BD(60, 0x10000), 0, 0, 0, 0, 0, 0)).toBe(R.H_DROPPED);
    fx.write(BL + 4088, be64(0x1234n));
    fx.reg();
    expect(fx.counter()).toBe(0n);
  });

  test('10: H_VIO_SIGNAL(U,1) before REG: REG clears signal_state, a frame raises no interrupt', () => {
    const fx = fixture();
    expect(fx.hc(H.H_VIO_SIGNAL, U, 1)).toBe(R.H_SUCCESS);
    expect(fx.dev.signalState).toBe(1n);
    fx.reg();
    expect(fx.dev.signalState).toBe(0n);
    fx.map(0x10000);
    expect(fx.add(0x200, 0x10000)).toBe(0n);
    fx.dev.deliver(fx.frame(60));
    expect(fx.dev.counters().rxFrames).toBe(1n);
    expect(fx.dev.irqPulses).toBe(0);
    expect(fx.dev.irqPending).toBe(false);
  });
});

describe('spec 9: H_ADD_LOGICAL_LAN_BUFFER', () => {
  test('11: before REG: valid descriptor -> H_RESOURCE, bad length -> H_PARAMETER (parameters first)', () => {
    const fx = fixture();
    fx.map(0x10000);
    expect(fx.add(0x200, 0x10000)).toBe(R.H_RESOURCE);
    expect(fx.add(0x0c, 0x10000)).toBe(R.H_PARAMETER);
  });

  test('12: after REG: short, odd length, misaligned, unmapped page, write-only page -> H_PARAMETER', () => {
    const fx = fixture();
    fx.reg();
    fx.map(0x10000);
    expect(fx.add(12, 0x10000)).toBe(R.H_PARAMETER);
    expect(fx.add(0x202, 0x10000)).toBe(R.H_PARAMETER);
    expect(fx.add(0x200, 0x10002)).toBe(R.H_PARAMETER);
    expect(fx.add(0x2000, 0x10000)).toBe(R.H_PARAMETER); // page 0x11000 unmapped
    fx.map(0x20000, 2);
    expect(fx.add(0x200, 0x20000)).toBe(R.H_PARAMETER);
    expect(fx.dev.rxBufs).toBe(0);
  });

  test('13: legacy: H_ADD stores raw descriptors in slots 16, 24', () => {
    const fx = fixture({ useRxBufferPools: false });
    fx.reg();
    fx.mapRange(0x10000, 0x2000);
    expect(fx.add(0x200, 0x10000)).toBe(0n);
    expect(fx.bl(16, 24)).toEqual([0x80, 0, 0x02, 0, 0, 0x01, 0, 0]);
    expect(fx.add(0x800, 0x11000)).toBe(0n);
    expect(fx.bl(24, 32)).toEqual([0x80, 0, 0x08, 0, 0, 0x01, 0x10, 0]);
    expect(fx.dev.rxBufs).toBe(2);
  });

  test('14: legacy: 509 adds fill offsets 16..4080, the 510th -> H_RESOURCE, counter slot untouched', () => {
    const fx = fixture({ useRxBufferPools: false });
    fx.reg();
    fx.map(0x10000);
    for (let i = 0; i < 509; i++) expect(fx.add(0x200, 0x10000)).toBe(0n);
    expect(fx.add(0x200, 0x10000)).toBe(R.H_RESOURCE);
    const bd = be64(BD(0x200, 0x10000));
    for (let o = 16; o <= 4080; o += 8) expect(fx.bl(o, o + 8)).toEqual(bd);
    expect(fx.bl(4088, 4096)).toEqual(new Array(8).fill(0));
    expect(fx.dev.rxBufs).toBe(509);
  });

  test('15: pools: H_ADD never writes the buffer-list page', () => {
    const fx = fixture();
    fx.reg();
    fx.mapRange(0x10000, 0x10000);
    for (const len of [0x200, 0x800, 0x200, 0x4000, 0x10000, 0x1000]) expect(fx.add(len, 0x10000)).toBe(0n);
    expect(fx.bl(16, 4096)).toEqual(new Array(4080).fill(0));
  });

  test('16: pools: 4096 per size, then H_RESOURCE; another size still accepted', () => {
    const fx = fixture();
    fx.reg();
    fx.map(0x10000);
    const res = fx.m.hcallBatch(Array.from({ length: 4097 }, () => [H.H_ADD_LOGICAL_LAN_BUFFER, U, BD(0x800, 0x10000)]));
    expect(res.slice(0, 4096).every((r) => r === 0n)).toBe(true);
    expect(res[4096]).toBe(R.H_RESOURCE);
    expect(fx.add(0x200, 0x10000)).toBe(0n);
    expect(fx.dev.rxBufs).toBe(4097);
  });

  test('17: pools: 5 sizes at most; an emptied pool is recycled for a new size', () => {
    const fx = fixture();
    fx.reg();
    fx.mapRange(0x10000, 0x4000);
    for (const len of [0x200, 0x400, 0x800, 0x1000, 0x2000]) expect(fx.add(len, 0x10000)).toBe(0n);
    expect(fx.add(0x4000, 0x10000)).toBe(R.H_RESOURCE);
    fx.dev.deliver(fx.frame(100));
    expect(fx.dev.pools()[0]).toMatchObject({ bufSize: 0x200, count: 0 });
    expect(fx.add(0x4000, 0x10000)).toBe(0n);
    expect(fx.dev.pools().map((p) => p.bufSize)).toEqual([0x400, 0x800, 0x1000, 0x2000, 0x4000]);
    expect(fx.add(0x200, 0x10000)).toBe(R.H_RESOURCE);
  });

  test('18: descriptor without VALID: pools use it (Q5); legacy counts it but never finds it', () => {
    const fx = fixture();
    fx.reg();
    fx.map(0x10000);
    expect(fx.hc(H.H_ADD_LOGICAL_LAN_BUFFER, U, 0x0000_0200_0001_0000n)).toBe(0n);
    fx.dev.deliver(fx.frame(60));
    expect(fx.mem(0x10008, 60)).toEqual([...fx.frame(60)]);
    expect(fx.rq(0, 8)).toEqual([0xc0, 0, 0, 8, 0, 0, 0, 60]);

    const lg = fixture({ useRxBufferPools: false });
    lg.reg();
    lg.map(0x10000);
    expect(lg.hc(H.H_ADD_LOGICAL_LAN_BUFFER, U, 0x0000_0200_0001_0000n)).toBe(0n);
    expect(lg.dev.rxBufs).toBe(1);
    lg.dev.deliver(lg.frame(60));
    expect(lg.counter()).toBe(1n);
    expect(lg.dev.pendingCount).toBe(1);
    expect(lg.rq(0, 16)).toEqual(new Array(16).fill(0));
  });
});
