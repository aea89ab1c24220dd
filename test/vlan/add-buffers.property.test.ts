// Differential property test of H_ADD_LOGICAL_LAN_BUFFERS: on one device a batch call, on a twin the
// same descriptors as single H_ADD_LOGICAL_LAN_BUFFER calls. When every single add succeeds the
// batch must succeed with the identical device state (pools / legacy ring, pointers, rx_bufs);
// when one fails the batch must fail with H_RESOURCE and change nothing (all or nothing).
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { fixture, BD, H, U, BL, GPA_OFFSET, type Fx } from './fixture.js';

const SIZES = [0x200, 0x400, 0x800, 0x1000, 0x2000, 0x3000, 0x4000];
const batchArb = fc.array(fc.tuple(fc.constantFrom(...SIZES), fc.integer({ min: 0, max: 15 })), { minLength: 1, maxLength: 8 });

function twin(pools: boolean): Fx {
  const fx = fixture({ useRxBufferPools: pools }, 2 << 20);
  fx.reg();
  fx.mapRange(0x10000, 0x20000);
  return fx;
}

/** Device state an add can change: the vlan block (pools, pointers, rx_bufs) and the buffer-list page. */
function state(fx: Fx): Buffer {
  const b = fx.dev.state;
  const masked = Buffer.from(fx.m.memory.buffer, b.base, b.layout.stride);
  // The spec 4.1 fields and the pools (telemetry and deadlines are not part of the comparison).
  const keep = ['isOpen', 'bufList', 'addBufPtr', 'useBufPtr', 'rxBufs', 'rxqPtr', 'poolBufSize', 'poolCount'];
  if (fx.dev.options.useRxBufferPools) keep.push('poolBds');
  const out: Buffer[] = keep.map((n) => {
    const f = b.layout.fieldsByName.get(n)!;
    return masked.subarray(f.offset, f.offset + f.size);
  });
  out.push(Buffer.from(fx.m.readRam(BL + GPA_OFFSET, 4096)));
  return Buffer.concat(out);
}

function restoreFn(fx: Fx): () => void {
  const b = fx.dev.state;
  const blk = new Uint8Array(fx.m.memory.buffer, b.base, b.layout.stride).slice();
  const page = fx.m.readRam(BL + GPA_OFFSET, 4096);
  return () => {
    new Uint8Array(fx.m.memory.buffer, b.base, b.layout.stride).set(blk);
    fx.m.writeRam(BL + GPA_OFFSET, page);
  };
}

describe('H_ADD_LOGICAL_LAN_BUFFERS = n x H_ADD_LOGICAL_LAN_BUFFER, all or nothing', () => {
  for (const pools of [true, false]) {
    test(pools ? 'pools' : 'legacy', () => {
      let sawFail = false, sawOk = false;
      fc.assert(fc.property(fc.array(batchArb, pools ? { minLength: 1, maxLength: 90 } : { minLength: 100, maxLength: 160 }), (batches) => {
        const a = twin(pools), b = twin(pools);
        for (const batch of batches) {
          const bds = batch.map(([len, k]) => BD(len, 0x10000 + k * 0x1000));
          const undo = restoreFn(b);
          const before = state(a);
          const singles = bds.map((bd) => b.m.hcall(H.H_ADD_LOGICAL_LAN_BUFFER, U, bd).ret);
          const r = a.m.hcall(H.H_ADD_LOGICAL_LAN_BUFFERS, U, ...[...bds, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n].slice(0, 8)).ret;
          if (singles.every((s) => s === 0n)) {
            expect(r).toBe(0n);
            sawOk = true;
          } else {
            expect(r).toBe(-16n);
            expect(state(a).equals(before)).toBe(true);
            undo();
            sawFail = true;
          }
          expect(state(a).equals(state(b))).toBe(true);
        }
      }), { numRuns: 12, seed: 1234 });
      expect(sawOk && sawFail).toBe(true);
    });
  }
});
