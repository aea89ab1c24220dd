// Random instruction words never crash the core (no Wasm trap: division overflow, bad memory
// index...) and never let the guest write outside its RAM: every word either executes, or raises
// a guest interrupt. Deterministic seed; both byte orders, 64- and 32-bit mode, problem state too.
import { expect, test } from 'vitest';
import { machineWithCode, step, writeWords } from './harness.js';
import { RAM_BASE } from '../../host-ts/layout/memory-map.js';

function xorshift(seed: number): () => number {
  let x = seed >>> 0;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

test.each([
  [false, 0x8000000000001000n], [true, 0x8000000000001000n], // 64-bit, ME
  [false, 0x1000n], [true, 0x4000n | 0x1000n],             // 32-bit; 32-bit problem state
])('random instruction words (le=%s, msr=%s) run without host faults', (le, msrBase) => {
  const rnd = xorshift(le ? 12345 : 54321);
  const ramSize = 1 << 20;
  const m = machineWithCode([], le, ramSize);
  const guard = new Uint8Array(m.memory.buffer, RAM_BASE - 4096, 4096).slice();
  for (let round = 0; round < 200; round++) {
    const words = Array.from({ length: 64 }, () => rnd());
    writeWords(m, 0x10000, words, le);
    for (let r = 0; r < 32; r++) {
      const v = rnd() % 4 === 0 ? BigInt(0x10000 + (rnd() % 0x20000)) : (BigInt(rnd()) << 32n) | BigInt(rnd());
      m.setGpr(r, v);
    }
    m.cpu.set('msr', msrBase | (le ? 1n : 0n));
    m.cpu.set('nip', 0x10000n);
    expect(() => step(m, 64)).not.toThrow();
  }
  // Nothing outside guest RAM changed (the 4 KiB below RAM_BASE is emulator memory).
  expect(new Uint8Array(m.memory.buffer, RAM_BASE - 4096, 4096)).toEqual(guard);
  expect(m.cpu.getNum('unimplTotal')).toBeGreaterThan(0); // random words do hit unimplemented opcodes
});
