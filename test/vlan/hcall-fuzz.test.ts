// Hypercall fuzz: random opcodes (all device hcalls and others) with random and nasty arguments over
// random guest RAM, interleaved with received frames and time steps. No exception escapes, every
// return code is one the spec allows for that opcode, and no byte of emulator memory changes outside
// guest RAM except the state and regions this device legitimately owns.
import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { createMachine } from '../../host-ts/machine/create-machine.js';
import { SpaprVlan } from '../../host-ts/devices/spapr-vlan.js';
import { MEMORY_MAP, RAM_BASE, block, region } from '../../host-ts/layout/memory-map.js';
import { HCALL as H, HRC, VIO_KIND } from '../../host-ts/layout/papr.js';

const U = 0x71000002;
/** Fixed by default so the coverage checks below are reproducible; FUZZ_SEED=<n> explores other runs. */
const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const VTY = 0x71000000;
const RAM = 1 << 20;

const LAN_OPS = [
  H.H_REGISTER_LOGICAL_LAN, H.H_FREE_LOGICAL_LAN, H.H_ADD_LOGICAL_LAN_BUFFER, H.H_SEND_LOGICAL_LAN,
  H.H_MULTICAST_CTRL, H.H_CHANGE_LOGICAL_LAN_MAC, H.H_VIO_SIGNAL, H.H_GET_TCE, H.H_PUT_TCE, H.H_STUFF_TCE,
  H.H_PUT_TCE_INDIRECT, H.H_ILLAN_ATTRIBUTES, H.H_ADD_LOGICAL_LAN_BUFFERS,
];

const { H_SUCCESS: OK, H_PARAMETER: PARAM, H_RESOURCE: RES, H_FUNCTION: FUNC, H_DROPPED: DROP, H_HARDWARE: HW, H_DEST_PARM: DEST } = HRC;
const ALLOWED = new Map<number, number[]>([
  [H.H_REGISTER_LOGICAL_LAN, [OK, PARAM, RES]],
  [H.H_FREE_LOGICAL_LAN, [OK, PARAM, RES]],
  [H.H_ADD_LOGICAL_LAN_BUFFER, [OK, PARAM, RES]],
  [H.H_SEND_LOGICAL_LAN, [OK, PARAM, DROP, HW, RES, DEST]],
  [H.H_MULTICAST_CTRL, [OK, PARAM]],
  [H.H_CHANGE_LOGICAL_LAN_MAC, [OK, PARAM]],
  [H.H_VIO_SIGNAL, [OK, PARAM]],
  [H.H_GET_TCE, [OK, PARAM]],
  [H.H_PUT_TCE, [OK, PARAM]],
  [H.H_STUFF_TCE, [OK, PARAM]],
  [H.H_PUT_TCE_INDIRECT, [OK, PARAM]],
  [H.H_ILLAN_ATTRIBUTES, [OK, PARAM, FUNC]],
  [H.H_ADD_LOGICAL_LAN_BUFFERS, [OK, PARAM, RES, FUNC]],
]);

const unitArb = fc.oneof(fc.constantFrom(U, VTY, 0x71000099, 0x1_7100_0002, 0), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
const smallIoba = fc.integer({ min: 0, max: 0x40 }).map((p) => p * 0x1000 + [0, 8, 0xff8, 0xffc][p & 3]);
const bdArb = fc.tuple(fc.bigInt({ min: 0n, max: 15n }), fc.oneof(fc.constantFrom(0, 8, 16, 0x200, 0x800, 0x1000, 0x10000, 0xffffff), fc.integer({ min: 0, max: 0xffffff })), fc.oneof(smallIoba, fc.integer({ min: 0, max: 0xffffffff })))
  .map(([fl, len, a]) => (fl << 60n) | (BigInt(len) << 32n) | BigInt(a));
const tceArb = fc.oneof(
  fc.tuple(fc.integer({ min: 0, max: 0x1ff }), fc.integer({ min: 0, max: 3 })).map(([pg, perm]) => BigInt(pg * 4096 + perm)),
  fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
);
const u64 = fc.oneof(fc.constantFrom(0n, 1n, 2n, 512n, 513n, 65536n, 65537n, (1n << 64n) - 1n), fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }));
const argArb = fc.oneof(unitArb, smallIoba.map(BigInt), bdArb, tceArb, u64);

type Step =
  | { kind: 'hcall'; op: number; args: (bigint | number)[]; pr: boolean }
  | { kind: 'frame'; len: number }
  | { kind: 'time'; us: number };

const opArb = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...LAN_OPS) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x400 }) },
);
/** Well-formed calls (right unit, plausible descriptors in mapped pages) reach the deep paths. */
const plausibleBd = fc.tuple(fc.constantFrom(60, 0x200, 0x800, 0x1000), fc.integer({ min: 0x10, max: 0x3e }))
  .map(([len, pg]) => (1n << 63n) | (BigInt(len) << 32n) | BigInt(pg * 0x1000));
const wellFormedArb = fc.record({
  kind: fc.constant('hcall' as const),
  op: fc.constantFrom(...LAN_OPS),
  args: fc.tuple(fc.constant(BigInt(U)), fc.array(fc.oneof(plausibleBd, fc.constant(0n)), { minLength: 8, maxLength: 8 })).map(([u, r]) => [u, ...r]),
  pr: fc.constant(false),
});
const stepArb: fc.Arbitrary<Step> = fc.oneof(
  { weight: 6, arbitrary: wellFormedArb },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('hcall' as const), op: opArb, args: fc.array(argArb, { minLength: 9, maxLength: 9 }), pr: fc.integer({ min: 0, max: 9 }).map((n) => n === 0) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('frame' as const), len: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 1, max: 200 }) }, fc.integer({ min: 1, max: 5000 }), fc.constantFrom(65535, 65536, 100000)) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('time' as const), us: fc.integer({ min: 0, max: 20000 }) }) },
);

/** [start, end) ranges of Wasm memory this machine's one vlan (instance 0, VIO slot 1) may change. */
function ownedRanges(): [number, number][] {
  const b = (n: string, i = 0): [number, number] => { const l = block(n); return [l.base + i * l.stride, l.base + (i + 1) * l.stride]; };
  const r = (n: string, i = 0): [number, number] => { const l = region(n); return [l.base + i * l.stride, l.base + (i + 1) * l.stride]; };
  return [b('machine'), b('cpu'), b('vio', 0), b('vio', 1), b('vlan', 0), r('tceTable', 1), r('rxStage', 0), r('txStage', 0), r('scratch'), r('dirtyBitmap')];
}

describe('hypercall fuzz', () => {
  test('random hypercalls never escape guest RAM, never throw, return only allowed codes', () => {
    const owned = ownedRanges().sort((a, b) => a[0] - b[0]);
    const successes = new Map<number, number>();
    let received = 0n;
    fc.assert(fc.property(fc.array(stepArb, { minLength: 40, maxLength: 150 }), fc.integer(), (steps, seed) => {
      const { machine: m } = createMachine({ ramSize: RAM });
      m.vio.allocate({ kind: VIO_KIND.VIO_KIND_VTY, reg: VTY, signalMask: 0n, dma: false, kindIndex: 0 });
      const lan = new SpaprVlan(m, { reg: U, rxNofitTimeoutUs: seed & 1 ? 0 : 100, useRxBufferPools: (seed & 2) === 0 });
      // Random guest RAM; some TCEs mapped so that deep paths are reached.
      let x = seed >>> 0 || 1;
      const ram = m.ramView(0, RAM);
      for (let i = 0; i < RAM; i += 4) { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; ram[i] = x & 0xff; ram[i + 1] = (x >> 8) & 0xff; ram[i + 2] = (x >> 16) & 0xff; ram[i + 3] = x >>> 24; }
      for (let p = 0; p < 0x40; p++) m.hcall(H.H_PUT_TCE, U, p * 0x1000, BigInt(((x >>> p) & 0xff) * 0x1000 + 3));
      m.hcall(H.H_REGISTER_LOGICAL_LAN, U, 0x1000, 0x8000_0100_0000_3000n, 0x2000, 0);
      const mem = new Uint8Array(m.memory.buffer);
      const before = mem.slice(0, RAM_BASE);
      const tailStart = RAM_BASE + RAM;
      const tailBefore = mem.slice(tailStart);
      for (const s of steps) {
        if (s.kind === 'hcall') {
          m.cpu.set('msr', s.pr ? 1n << 14n : 0n);
          const r = m.hcall(s.op, ...s.args);
          const allowed = s.pr ? [HRC.H_PRIVILEGE] : ALLOWED.get(s.op) ?? [FUNC];
          if (!allowed.includes(Number(r.ret))) throw new Error(`opcode 0x${s.op.toString(16)} returned ${r.ret}`);
          if (r.ret === 0n) successes.set(s.op, (successes.get(s.op) ?? 0) + 1);
        } else if (s.kind === 'frame') {
          lan.deliver(new Uint8Array(s.len).fill(s.len & 0xff));
        } else {
          m.advance(BigInt(s.us) * 1000n);
        }
      }
      m.cpu.set('msr', 0n);
      // Nothing outside guest RAM changed except what the device owns.
      let at = 0;
      for (const [a, b] of [...owned, [RAM_BASE, RAM_BASE] as [number, number]]) {
        if (a > at && !Buffer.from(mem.buffer, at, a - at).equals(Buffer.from(before.buffer, at, a - at))) {
          throw new Error(`emulator memory changed in [0x${at.toString(16)}, 0x${a.toString(16)})`);
        }
        at = Math.max(at, b);
      }
      expect(Buffer.from(mem.buffer, tailStart).equals(Buffer.from(tailBefore.buffer))).toBe(true);
      expect(MEMORY_MAP.ramBase).toBe(RAM_BASE);
      received += lan.counters().rxFrames;
    }), { numRuns: 40, seed: FUZZ_SEED });
    // The fuzz reached the deep paths, not only the argument checks.
    for (const op of [H.H_ADD_LOGICAL_LAN_BUFFER, H.H_PUT_TCE, H.H_SEND_LOGICAL_LAN, H.H_FREE_LOGICAL_LAN]) {
      expect(successes.get(op) ?? 0, `successful 0x${op.toString(16)}`).toBeGreaterThan(0);
    }
    expect(received).toBeGreaterThan(0n);
  });
});
