// Legacy / pools compatibility (spec 7 table, scenario 60, README "Migration compatibility"):
// same mode on both sides migrates exactly; a mode mismatch is refused before the destination
// runs, with a message saying which side has which setting, and the destination is untouched.
import { describe, expect, test } from 'vitest';
import { saveMachine, loadMachine, MigrationError } from '../../host-ts/migration/index.js';
import { view } from '../../host-ts/layout/state-view.js';
import { makeMachine, mapWindow, openVlan, addPoolBuffer, fieldDiffs, stateHash, VALID } from './helpers.js';
import { records } from './stream-util.js';

function busy(pools: boolean): ReturnType<typeof makeMachine> {
  const m = makeMachine({ pools });
  mapWindow(m, 1, 64);
  openVlan(m, 0, 0x1000, 1024);
  if (pools) {
    addPoolBuffer(m, 0, VALID | (0x200n << 32n) | 0x8000n);
    addPoolBuffer(m, 0, VALID | (0x800n << 32n) | 0xa000n);
  } else {
    const v = view(m.memory, 'vlan', 0);
    m.writeBe64(0x1000 + 16, VALID | (0x800n << 32n) | 0xa000n); // legacy ring slot 16 (spec 3.3)
    v.set('addBufPtr', 16);
    v.set('rxBufs', 1);
  }
  view(m.memory, 'vlan', 0).set('rxqPtr', 0x30n);
  return m;
}

const POOLS_TO_LEGACY = 'vlan[0]/rx_pools: the stream carries RX buffer pools (source use-rx-buffer-pools=on) but this destination has '
  + 'use-rx-buffer-pools=off; refusing the load: the guest would lose its posted receive buffers '
  + '(start the destination with use-rx-buffer-pools=on; README "Migration compatibility")';
const LEGACY_TO_POOLS = 'vlan[0]/rx_pools: the stream has no RX buffer pool subsection (source use-rx-buffer-pools=off, legacy buffer list) '
  + 'but this destination has use-rx-buffer-pools=on; refusing the load: the guest\'s legacy buffers would never be found '
  + '(start the destination with use-rx-buffer-pools=off; README "Migration compatibility")';

describe('legacy / pools compatibility', () => {
  test('pools -> pools: exact transfer, pool subsection present', () => {
    const src = busy(true);
    const s = saveMachine(src);
    expect(records(s).some((r) => r.name === 'vlan')).toBe(true);
    const dst = makeMachine({ pools: true });
    loadMachine(dst, s);
    expect(fieldDiffs(src, dst)).toEqual([]);
    expect(view(dst.memory, 'vlan', 0).getNum('poolCount', 0)).toBe(1);
    expect(view(dst.memory, 'vlan', 0).getBig('poolBds', 4096)).toBe(VALID | (0x800n << 32n) | 0xa000n);
  });

  test('legacy -> legacy: pointers and the ring in guest RAM transfer', () => {
    const src = busy(false);
    const dst = makeMachine({ pools: false });
    loadMachine(dst, saveMachine(src));
    expect(fieldDiffs(src, dst)).toEqual([]);
    const v = view(dst.memory, 'vlan', 0);
    expect([v.getNum('addBufPtr'), v.getNum('useBufPtr'), v.getNum('rxBufs'), v.getBig('rxqPtr')]).toEqual([16, 8, 1, 0x30n]);
    expect(dst.readBe64(0x1000 + 16)).toBe(VALID | (0x800n << 32n) | 0xa000n);
  });

  for (const [from, to, msg] of [[true, false, POOLS_TO_LEGACY], [false, true, LEGACY_TO_POOLS]] as const) {
    test(`${from ? 'pools' : 'legacy'} -> ${to ? 'pools' : 'legacy'} is refused before the destination runs`, () => {
      const dst = makeMachine({ pools: to });
      dst.writeRam(0x7000, [1, 2, 3]);
      const before = stateHash(dst);
      let err: unknown;
      try {
        loadMachine(dst, saveMachine(busy(from)));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as Error).message).toBe(msg);
      expect(stateHash(dst)).toBe(before);
    });
  }

  test('the subsection follows the source setting, not whether buffers are queued (spec 7)', () => {
    const idle = makeMachine({ pools: true }); // pools on, device never opened
    const sizeWith = records(saveMachine(idle)).find((r) => r.name === 'vlan')!.len;
    const legacy = makeMachine({ pools: false });
    const sizeWithout = records(saveMachine(legacy)).find((r) => r.name === 'vlan')!.len;
    expect(sizeWith - sizeWithout).toBe(1 + 8 + 8 + 163880); // name len, 'rx_pools', version + length, 5 x 32 776
  });
});
