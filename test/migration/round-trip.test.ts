import { describe, expect, test } from 'vitest';
import { saveMachine, loadMachine } from '../../host-ts/migration/index.js';
import { RAM_BASE } from '../../host-ts/layout/memory-map.js';
import { region } from '../../host-ts/layout/memory-map.js';
import { view } from '../../host-ts/layout/state-view.js';
import { makeMachine, randomizeState, fieldDiffs, stateHash } from './helpers.js';

const ramOf = (m: ReturnType<typeof makeMachine>): Uint8Array => new Uint8Array(m.memory.buffer, RAM_BASE, m.ramSize);

describe('save / load round trip', () => {
  for (const pools of [true, false]) {
    test(`every migrated field and all RAM survive (pools ${pools ? 'on' : 'off'}, 2 vlans)`, () => {
      const src = makeMachine({ pools, vlans: 2 });
      randomizeState(src, pools ? 1 : 2);
      const stream = saveMachine(src);
      const dst = makeMachine({ pools, vlans: 2 });
      const r = loadMachine(dst, stream);
      expect(r.bytes).toBe(stream.length);
      expect(r.pages).toBe(src.ramSize / 4096);
      expect(fieldDiffs(src, dst)).toEqual([]);
      expect(Buffer.compare(ramOf(src), ramOf(dst))).toBe(0);
      const t = region('tceTable');
      const tces = (m: typeof src): Uint8Array => new Uint8Array(m.memory.buffer, t.base, t.stride * t.instances);
      expect(Buffer.compare(tces(src), tces(dst))).toBe(0);
      // The state really was non-trivial.
      expect(view(src.memory, 'vlan', 1).getNum('isOpen')).toBe(1);
      expect(stateHash(src)).toBe(stateHash(dst));
    });
  }

  test('zero pages travel compactly: one 9-byte record per run of zero pages', () => {
    const small = saveMachine(makeMachine({ ramSize: 1 << 20 })).length;
    const big = makeMachine({ ramSize: 4 << 20 });
    expect(saveMachine(big).length).toBe(small); // 4x the RAM, all zero: same size
    big.writeRam(0x2000, [1]);
    // zero run | data record of one page | zero run: +9 + (9 + 4096)
    expect(saveMachine(big).length).toBe(small + 9 + 9 + 4096);
  });

  test('loading over a machine with other RAM contents replaces every page, zero pages included', () => {
    const src = makeMachine();
    src.writeRam(0x3000, [1, 2, 3]);
    const dst = makeMachine();
    dst.writeRam(0x5000, [9, 9, 9]);
    loadMachine(dst, saveMachine(src));
    expect([...dst.readRam(0x3000, 3)]).toEqual([1, 2, 3]);
    expect([...dst.readRam(0x5000, 3)]).toEqual([0, 0, 0]);
  });

  test('a stream fed in small chunks loads the same as one buffer', () => {
    const src = makeMachine();
    randomizeState(src, 7);
    const stream = saveMachine(src);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i += 777) chunks.push(stream.subarray(i, i + 777));
    const dst = makeMachine();
    loadMachine(dst, chunks);
    expect(fieldDiffs(src, dst)).toEqual([]);
    expect(stateHash(src)).toBe(stateHash(dst));
  });
});
