// spec 9 scenarios 19-38a: RX data path, no buffer / queueing / timing.
import { describe, expect, test } from 'vitest';
import { fixture, BD, H, R, U, type Fx } from './fixture.js';

const CORR = [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88];

/** Posts a buffer with an 8-byte correlator naming it (first byte = tag). */
function post(fx: Fx, len: number, iova: number, tag: number): void {
  fx.write(iova, [tag, 0, 0, 0, 0, 0, 0, 0]);
  expect(fx.add(len, iova)).toBe(0n);
}

/** Entry k of the RX queue: {ctl, offset, length, tag} */
function entry(fx: Fx, k: number) {
  const b = fx.rq(16 * k, 16 * k + 16);
  return { ctl: b[0], off: (b[2] << 8) | b[3], len: ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0, tag: b[8] };
}

describe('spec 9: RX data path', () => {
  test('19: frame bytes, queue entry, correlator, counters', () => {
    const fx = fixture();
    fx.reg();
    fx.map(0x10000);
    fx.write(0x10000, CORR);
    expect(fx.add(0x200, 0x10000)).toBe(0n);
    const f = fx.frame(60);
    expect(fx.dev.deliver(f)).toBe(true);
    expect(fx.mem(0x10008, 60)).toEqual([...f]);
    expect(fx.rq(0, 16)).toEqual([0xc0, 0, 0, 8, 0, 0, 0, 0x3c, ...CORR]);
    expect(fx.dev.rxBufs).toBe(0);
    expect(fx.counter()).toBe(0n);
    expect(fx.mem(0x10000, 8)).toEqual(CORR);
  });

  test('20: the correlator is read at receive time', () => {
    const fx = fixture();
    fx.reg();
    fx.map(0x10000);
    fx.write(0x10000, CORR);
    expect(fx.add(0x200, 0x10000)).toBe(0n);
    fx.write(0x10000, new Array(8).fill(0xaa));
    fx.dev.deliver(fx.frame(60));
    expect(fx.rq(8, 16)).toEqual(new Array(8).fill(0xaa));
  });

  test('21: best fit; an exhausted size falls back to the next non-empty larger pool', () => {
    const fx = fixture();
    fx.reg();
    fx.mapRange(0x10000, 0x20000);
    post(fx, 0x200, 0x10000, 0xa);
    post(fx, 0x800, 0x11000, 0xb);
    post(fx, 0x10000, 0x20000, 0xc);
    fx.dev.deliver(fx.frame(504));
    fx.dev.deliver(fx.frame(505));
    fx.dev.deliver(fx.frame(2041));
    expect([0, 1, 2].map((k) => entry(fx, k).tag)).toEqual([0xa, 0xb, 0xc]);
    post(fx, 0x200, 0x10000, 0xa);
    post(fx, 0x800, 0x11000, 0xb);
    fx.dev.deliver(fx.frame(100)); // -> A
    fx.dev.deliver(fx.frame(100)); // A exhausted -> B
    expect([3, 4].map((k) => entry(fx, k).tag)).toEqual([0xa, 0xb]);
    expect(fx.dev.sizeStats().find((s) => s.size === 0x800)!.fallbacks).toBe(1n);
  });

  test('22: LIFO within a pool', () => {
    const fx = fixture();
    fx.reg();
    fx.mapRange(0x10000, 0x2000);
    post(fx, 0x800, 0x10000, 1);
    post(fx, 0x800, 0x11000, 2);
    fx.dev.deliver(fx.frame(100));
    fx.dev.deliver(fx.frame(100));
    expect([entry(fx, 0).tag, entry(fx, 1).tag]).toEqual([2, 1]);
  });

  test('23: legacy first fit in ring order; consumed slots are zeroed', () => {
    const fx = fixture({ useRxBufferPools: false });
    fx.reg();
    fx.mapRange(0x10000, 0x20000);
    post(fx, 0x10000, 0x20000, 0xc);
    post(fx, 0x800, 0x11000, 0xb);
    fx.dev.deliver(fx.frame(100));
    fx.dev.deliver(fx.frame(100));
    expect([entry(fx, 0).tag, entry(fx, 1).tag]).toEqual([0xc, 0xb]);
    expect(fx.bl(16, 32)).toEqual(new Array(16).fill(0));
  });

  test('24: legacy add position continues after the last add, not at the freed slot', () => {
    const fx = fixture({ useRxBufferPools: false });
    fx.reg();
    fx.mapRange(0x10000, 0x20000);
    post(fx, 0x10000, 0x20000, 0xc);
    post(fx, 0x800, 0x11000, 0xb);
    fx.dev.deliver(fx.frame(100));
    fx.dev.deliver(fx.frame(100));
    post(fx, 0x200, 0x10000, 0xd);
    expect(fx.bl(32, 40)).toEqual([0x80, 0, 0x02, 0, 0, 0x01, 0, 0]);
    expect(fx.bl(16, 32)).toEqual(new Array(16).fill(0));
  });

  test('25: fit boundary: 504 bytes fit a 512-byte buffer, 505 do not', () => {
    const a = fixture();
    a.reg();
    a.map(0x10000);
    post(a, 0x200, 0x10000, 1);
    a.dev.deliver(a.frame(504));
    expect(entry(a, 0).len).toBe(504);

    const b = fixture();
    b.reg();
    b.map(0x10000);
    post(b, 0x200, 0x10000, 1);
    b.dev.deliver(b.frame(505));
    expect(b.counter()).toBe(1n);
    expect(b.rq(0, 16)).toEqual(new Array(16).fill(0));
    expect(b.dev.rxBufs).toBe(1);
    expect(b.dev.pools()[0].count).toBe(1);
  });

  test('26: toggle wrap with a 2-entry queue', () => {
    const fx = fixture();
    fx.reg(BD(0x20, 0x3000));
    fx.mapRange(0x10000, 0x3000);
    for (let i = 0; i < 3; i++) post(fx, 0x200, 0x10000 + i * 0x1000, i + 1);
    fx.dev.deliver(fx.frame(60));
    fx.dev.deliver(fx.frame(61));
    expect([entry(fx, 0).ctl, entry(fx, 1).ctl]).toEqual([0xc0, 0xc0]);
    expect(fx.bl(0, 8)).toEqual([0xc0, 0, 0, 0x20, 0, 0, 0x30, 0]);
    fx.dev.deliver(fx.frame(62));
    expect(entry(fx, 0)).toMatchObject({ ctl: 0x40, len: 62 });
    expect(fx.dev.state.getBig('rxqPtr')).toBe(16n);
  });

  test('27: no overflow check: a 1-entry queue is overwritten, toggle alternates', () => {
    const fx = fixture();
    fx.reg(BD(0x10, 0x3000));
    fx.map(0x10000);
    const ctl: number[] = [], bl0: number[] = [];
    for (let i = 0; i < 4; i++) {
      post(fx, 0x200, 0x10000, i);
      fx.dev.deliver(fx.frame(60 + i));
      ctl.push(entry(fx, 0).ctl);
      bl0.push(fx.bl(0, 1)[0]);
    }
    expect(ctl).toEqual([0xc0, 0x40, 0xc0, 0x40]);
    expect(bl0).toEqual([0xc0, 0x80, 0xc0, 0x80]);
    expect(entry(fx, 0).len).toBe(63);
  });

  test('28: one pulse per accepted frame only while signal_state bit 0; none for enabling, RETRY, TX', () => {
    const fx = fixture();
    fx.reg();
    fx.mapRange(0x10000, 0x4000);
    post(fx, 0x200, 0x10000, 1);
    fx.dev.deliver(fx.frame(60));
    expect(fx.dev.irqPulses).toBe(0);
    expect(fx.hc(H.H_VIO_SIGNAL, U, 1)).toBe(0n);
    expect(fx.dev.irqPulses).toBe(0);
    post(fx, 0x200, 0x11000, 2);
    post(fx, 0x200, 0x12000, 3);
    fx.dev.deliver(fx.frame(60));
    expect(fx.dev.irqPulses).toBe(1);
    expect(fx.dev.takeIrq()).toBe(true);
    fx.dev.deliver(fx.frame(60));
    expect(fx.dev.irqPulses).toBe(2);
    fx.dev.deliver(fx.frame(60)); // no buffer: RETRY
    fx.dev.flush();
    expect(fx.dev.irqPulses).toBe(2);
    expect(fx.hc(H.H_SEND_LOGICAL_LAN, U, BD(60, 0x13000), 0, 0, 0, 0, 0, 0)).toBe(0n);
    expect(fx.dev.irqPulses).toBe(2);
  });

  test('29: H_VIO_SIGNAL mode outside the mask or unknown unit -> H_PARAMETER; mode 0 -> H_SUCCESS', () => {
    const fx = fixture();
    expect(fx.hc(H.H_VIO_SIGNAL, U, 1)).toBe(0n);
    expect(fx.hc(H.H_VIO_SIGNAL, U, 2)).toBe(R.H_PARAMETER);
    expect(fx.dev.signalState).toBe(1n);
    expect(fx.hc(H.H_VIO_SIGNAL, 0x71000099, 1)).toBe(R.H_PARAMETER);
    expect(fx.hc(H.H_VIO_SIGNAL, U, 0)).toBe(0n);
    expect(fx.dev.signalState).toBe(0n);
  });

  test('30: DMA failure after buffer selection: frame dropped, buffer lost (Q11)', () => {
    const fx = fixture();
    fx.reg();
    fx.map(0x10000);
    expect(fx.hc(H.H_VIO_SIGNAL, U, 1)).toBe(0n);
    post(fx, 0x200, 0x10000, 1);
    expect(fx.hc(H.H_PUT_TCE, U, 0x10000, 0)).toBe(0n);
    fx.dev.deliver(fx.frame(60));
    expect(fx.rq(0, 16)).toEqual(new Array(16).fill(0));
    expect(fx.dev.irqPulses).toBe(0);
    expect(fx.counter()).toBe(0n);
    expect(fx.dev.rxBufs).toBe(0);
    expect(fx.dev.pools()[0].count).toBe(0);
    expect(fx.dev.pendingCount).toBe(0);
    expect(fx.dev.counters().rxDmaDropped).toBe(1n);
    expect(fx.dev.sizeStats()[0].dropped).toBe(1n);
  });
});

describe('spec 9: no buffer / queueing / timing', () => {
  test('31: a frame with no buffers waits; delivered 500 us after H_ADD', () => {
    const fx = fixture();
    fx.reg();
    fx.map(0x10000);
    fx.dev.deliver(fx.frame(60));
    expect(fx.counter()).toBe(0n);
    expect(fx.dev.pendingCount).toBe(1);
    post(fx, 0x200, 0x10000, 1);
    fx.advanceUs(499);
    expect(fx.dev.pendingCount).toBe(1);
    expect(fx.rq(0, 1)).toEqual([0]);
    fx.advanceUs(1);
    expect(fx.dev.pendingCount).toBe(0);
    expect(entry(fx, 0)).toMatchObject({ ctl: 0xc0, len: 60, tag: 1 });
    expect(fx.counter()).toBe(0n);
  });

  test('32: each H_ADD re-arms the timer', () => {
    const fx = fixture();
    fx.reg();
    fx.mapRange(0x10000, 0x2000);
    fx.dev.deliver(fx.frame(60));
    post(fx, 0x200, 0x10000, 1);
    fx.advanceUs(300);
    post(fx, 0x200, 0x11000, 2);
    fx.advanceUs(499);
    expect(fx.dev.pendingCount).toBe(1);
    fx.advanceUs(1);
    expect(fx.dev.pendingCount).toBe(0);
    expect(entry(fx, 0).tag).toBe(2);
  });

  test('33: frames pending before REG: REG flushes (counter 1), received after H_ADD + 500 us', () => {
    const fx = fixture();
    fx.map(0x10000);
    fx.dev.deliver(fx.frame(60));
    expect(fx.dev.pendingCount).toBe(1);
    fx.reg();
    expect(fx.counter()).toBe(1n);
    expect(fx.dev.stalled).toBe(true);
    post(fx, 0x200, 0x10000, 1);
    fx.advanceUs(500);
    expect(fx.dev.pendingCount).toBe(0);
    expect(entry(fx, 0).len).toBe(60);
    expect(fx.counter()).toBe(1n);
  });

  function oversize(fx: Fx, legacy: boolean) {
    fx.reg();
    fx.mapRange(0x10000, 0x3000);
    post(fx, 0x200, 0x10000, 0xa1);
    fx.dev.deliver(fx.frame(1000));
    expect(fx.counter()).toBe(1n);
    expect(fx.rq(0, 16)).toEqual(new Array(16).fill(0));
    expect(fx.dev.rxBufs).toBe(1);
    fx.dev.deliver(fx.frame(100, 0x10));
    expect(fx.dev.pendingCount).toBe(2);
    fx.advanceUs(100); // t
    post(fx, 0x200, 0x11000, 0xa2);
    fx.advanceUs(500); // t + 500: the 1000-byte frame is retried first
    expect(fx.counter()).toBe(2n);
    expect(fx.dev.stalled).toBe(true);
    expect(fx.dev.pendingCount).toBe(2);
    fx.advanceUs(100); // t2
    post(fx, 0x800, 0x12000, 0xb);
    fx.advanceUs(499);
    expect(fx.dev.pendingCount).toBe(2);
    fx.advanceUs(1);
    expect(fx.dev.pendingCount).toBe(0);
    expect(entry(fx, 0)).toMatchObject({ len: 1000, tag: 0xb });
    expect(entry(fx, 1)).toMatchObject({ len: 100, tag: legacy ? 0xa1 : 0xa2 });
    expect(fx.counter()).toBe(2n);
    if (legacy) {
      expect(fx.bl(16, 24)).toEqual(new Array(8).fill(0)); // A1 consumed
      expect(fx.bl(32, 40)).toEqual(new Array(8).fill(0)); // B consumed
      expect(fx.bl(24, 25)).toEqual([0x80]);               // A2 still posted
    }
  }

  test('34: pools: an oversized head frame blocks the queue until a fitting buffer is posted', () => {
    oversize(fixture(), false);
  });

  test('35: legacy: same counters; the small frame takes A1 (first fit after wrap, not LIFO)', () => {
    oversize(fixture({ useRxBufferPools: false }), true);
  });

  test('36: legacy hang guard: no fit right after REG terminates (Q1)', () => {
    const fx = fixture({ useRxBufferPools: false });
    fx.reg();
    fx.map(0x10000);
    post(fx, 0x200, 0x10000, 1);
    fx.dev.deliver(fx.frame(1000));
    expect(fx.counter()).toBe(1n);
    expect(fx.dev.pendingCount).toBe(1);
    expect(fx.dev.state.getNum('useBufPtr')).toBe(8);
  });

  test('37: the flush timer fires after H_FREE and discards every pending frame (Q12)', () => {
    const fx = fixture();
    fx.reg();
    fx.map(0x10000);
    fx.dev.deliver(fx.frame(60));
    fx.dev.deliver(fx.frame(70));
    post(fx, 0x200, 0x10000, 1);
    fx.advanceUs(100);
    expect(fx.hc(H.H_FREE_LOGICAL_LAN, U)).toBe(0n);
    expect(fx.dev.pendingCount).toBe(2);
    fx.advanceUs(400);
    expect(fx.dev.pendingCount).toBe(0);
    expect(fx.counter()).toBe(0n);
    expect(fx.dev.counters().rxClosedDropped).toBe(2n);
    expect(fx.rq(0, 16)).toEqual(new Array(16).fill(0));
  });

  test('38: a closed device holds frames (bounded) and never counts', () => {
    const fx = fixture({ rxPendingMax: 3 });
    for (let i = 0; i < 3; i++) expect(fx.dev.deliver(fx.frame(60 + i))).toBe(true);
    expect(fx.dev.deliver(fx.frame(99))).toBe(false);
    expect(fx.dev.pendingCount).toBe(3);
    expect(fx.dev.pendingFrames().map((f) => f.length)).toEqual([60, 61, 62]);
    const c = fx.dev.counters();
    expect([c.rxNoBuffer, c.rxNoFit, c.rxClosedDropped, c.rxPendingOverflow]).toEqual([0n, 0n, 0n, 1n]);
    expect(fx.bl(4088, 4096)).toEqual(new Array(8).fill(0));
  });

  test('38a: ordering: a new arrival queues behind older pending frames', () => {
    const fx = fixture();
    fx.reg();
    fx.map(0x10000);
    fx.dev.deliver(fx.frame(60)); // F
    post(fx, 0x800, 0x10000, 1); // t
    fx.advanceUs(100);
    fx.dev.deliver(fx.frame(70)); // G
    expect(fx.dev.pendingCount).toBe(2);
    expect(fx.rq(0, 1)).toEqual([0]);
    fx.advanceUs(400);
    expect(entry(fx, 0)).toMatchObject({ len: 60, tag: 1 });
    expect(fx.counter()).toBe(1n);
    expect(fx.dev.pendingCount).toBe(1);
    expect(fx.dev.pendingFrames()[0].length).toBe(70);
    expect(fx.dev.stalled).toBe(true);
  });
});
