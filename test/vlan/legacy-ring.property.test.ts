// Property test of the legacy RX ring (spec 4.4) against a reference model: random adds and frames;
// each add lands in the first free slot after the last add position, each frame takes the first
// fitting slot after the last use position (ring order, bounded scan), consumed slots are zeroed,
// the buffer-list page equals the model byte for byte, and rx_bufs adds up.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { fixture, BD, H, U } from './fixture.js';

const SIZES = [0x200, 0x800, 0x1000, 0x4000];
const BUF_BASE = 0x100000;
const BUF_STRIDE = 0x4000;
const MAX_ADDS = 600; // more than 509: the ring fills up (IOVA space for this many buffers)

type Op = { kind: 'add'; size: number } | { kind: 'frame'; len: number };
const opArb: fc.Arbitrary<Op[]> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...SIZES).map((size) => [{ kind: 'add' as const, size }]) },
  // a replenish burst: many adds in a row, so that the 509-slot ring fills up and wraps
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...SIZES), fc.integer({ min: 20, max: 300 })).map(([size, n]) => new Array<Op>(n).fill({ kind: 'add', size })) },
  { weight: 4, arbitrary: fc.integer({ min: 1, max: 0x3ff8 }).map((len) => [{ kind: 'frame' as const, len }]) },
);

const next = (o: number): number => (o + 8 >= 4088 ? 16 : o + 8);

describe('legacy RX ring: properties', () => {
  test('first free slot after add_ptr, first fit after use_ptr, page equals the model', () => {
    const fx = fixture({ useRxBufferPools: false, rxNofitTimeoutUs: 1 }, 16 << 20);
    fx.mapRange(0x20000, 0x10000);
    fx.reg(BD(0x10000, 0x20000)); // 4096 entries
    const list = 0xf00000;
    for (let chunk = 0; chunk < (MAX_ADDS * BUF_STRIDE) / 0x200000; chunk++) {
      for (let i = 0; i < 512; i++) fx.m.writeBe64(list + i * 8, BigInt(BUF_BASE + 0x100000 + (chunk * 512 + i) * 4096) | 3n);
      expect(fx.hc(H.H_PUT_TCE_INDIRECT, U, BUF_BASE + chunk * 0x200000, list, 512)).toBe(0n);
    }
    const snapshot = fx.m.memory.buffer.slice(0);
    const restore = () => new Uint8Array(fx.m.memory.buffer).set(new Uint8Array(snapshot));

    let sawFull = false;
    fc.assert(fc.property(fc.array(opArb, { minLength: 10, maxLength: 60 }).map((b) => b.flat()), (ops) => {
      restore();
      const ring = new Map<number, bigint>(); // slot offset -> descriptor
      let addPtr = 8, usePtr = 8, held = 0, id = 0, accepted = 0;
      for (const op of ops) {
        if (op.kind === 'add') {
          if (id >= MAX_ADDS) continue;
          const iova = BUF_BASE + id * BUF_STRIDE;
          fx.write(iova, [0, 0, 0, 0, 0, 0, id >> 8, id & 0xff]);
          const bd = BD(op.size, iova);
          const r = fx.add(op.size, iova);
          if (held >= 509) { expect(r).toBe(-16n); sawFull = true; continue; }
          expect(r).toBe(0n);
          let o = addPtr;
          do o = next(o); while (ring.has(o));
          ring.set(o, bd);
          addPtr = o;
          held++;
          id++;
        } else {
          if (held === 0) continue; // not offered (canReceive false)
          let o = usePtr, found = -1;
          for (let n = 0; n < 509; n++) {
            o = next(o);
            const d = ring.get(o);
            if (d !== undefined && Number((d >> 32n) & 0xffffffn) >= op.len + 8) { found = o; break; }
          }
          const before = fx.counter();
          fx.dev.deliver(fx.frame(op.len));
          if (found < 0) {
            fx.advanceUs(1); // Q3 bound of 1 us: retried once more, then dropped
            expect(fx.counter()).toBe(before + 2n);
            expect(fx.dev.pendingCount).toBe(0);
          } else {
            const e = fx.mem(0x20000 + 16 * accepted, 16);
            const d = ring.get(found)!;
            const wantId = Number((d & 0xffffffffn) - BigInt(BUF_BASE)) / BUF_STRIDE;
            expect((e[14] << 8) | e[15]).toBe(wantId);
            ring.delete(found);
            usePtr = found;
            held--;
            accepted++;
          }
        }
      }
      const page = new Uint8Array(4096 - 16 - 8);
      const dv = new DataView(page.buffer);
      for (const [o, d] of ring) dv.setBigUint64(o - 16, d);
      expect(Buffer.from(fx.bl(16, 4088)).equals(Buffer.from(page))).toBe(true);
      expect(fx.dev.rxBufs).toBe(held);
      expect([fx.dev.state.getNum('addBufPtr'), fx.dev.state.getNum('useBufPtr')]).toEqual([addPtr, usePtr]);
      expect(fx.dev.counters().rxFrames).toBe(BigInt(accepted));
    }), { numRuns: 25, seed: 4711 });
    expect(sawFull).toBe(true); // the runs reached a full ring
  });
});
