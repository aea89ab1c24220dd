// Spec section 9 scenarios 58-60 (migration of the LAN device), driven through the real device's
// hypercalls and receive path on both sides.
import { describe, expect, test } from 'vitest';
import { saveMachine, loadMachine, MigrationError } from '../../host-ts/migration/index.js';
import { wireBlocks } from '../../host-ts/migration/format.js';
import { fixture, BD, H, U, be64 } from '../vlan/fixture.js';
import { section, records } from './stream-util.js';
import { stateHash } from './helpers.js';

const CORR2 = [0xc2, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77];

/** Reads the rx_pools subsection of vlan[0] out of a stream: sizes, counts, descriptors per pool. */
function poolSubsection(s: Uint8Array): { sizes: number[]; counts: number[]; bds: bigint[][] } | undefined {
  const rec = section(s, 'vlan');
  const dv = new DataView(s.buffer, s.byteOffset, s.byteLength);
  let p = rec.payload! + wireBlocks().get('vlan')!.mainBytes;
  if (s[p++] === 0) return undefined;
  const nl = s[p];
  expect(new TextDecoder().decode(s.subarray(p + 1, p + 1 + nl))).toBe('rx_pools');
  p += 1 + nl;
  expect([dv.getUint32(p), dv.getUint32(p + 4)]).toEqual([1, 163880]); // version 1, 5 x 32 776 bytes (spec 7)
  p += 8;
  const sizes = [0, 1, 2, 3, 4].map((i) => dv.getInt32(p + 4 * i));
  const counts = [0, 1, 2, 3, 4].map((i) => dv.getInt32(p + 20 + 4 * i));
  const bds = [0, 1, 2, 3, 4].map((k) => Array.from({ length: 4096 }, (_, i) => dv.getBigUint64(p + 40 + (k * 4096 + i) * 8)));
  return { sizes, counts, bds };
}

describe('spec 9 migration scenarios', () => {
  test('58: pools on, 0x200 x2 and 0x800 x1 posted: subsection contents; after restore deliver(100) uses d2 (LIFO)', () => {
    const src = fixture();
    src.reg();
    src.mapRange(0x10000, 0x3000);
    const d1 = BD(0x200, 0x10000);
    const d2 = BD(0x200, 0x11000);
    const d3 = BD(0x800, 0x12000);
    for (const d of [d1, d2, d3]) expect(src.hc(H.H_ADD_LOGICAL_LAN_BUFFER, U, d)).toBe(0n);
    src.write(0x11000, CORR2);
    const s = saveMachine(src.m);
    const sub = poolSubsection(s)!;
    expect(sub.sizes).toEqual([0x200, 0x800, 0x7fffffff, 0x7fffffff, 0x7fffffff]);
    expect(sub.counts).toEqual([2, 1, 0, 0, 0]);
    expect(sub.bds[0].slice(0, 3)).toEqual([d1, d2, 0n]);
    expect(sub.bds[1].slice(0, 2)).toEqual([d3, 0n]);
    expect(sub.bds.flat().filter((d) => d !== 0n)).toEqual([d1, d2, d3]);

    const dst = fixture();
    loadMachine(dst.m, s);
    const f = dst.frame(100);
    expect(dst.dev.deliver(f)).toBe(true);
    expect(dst.rq(0, 16)).toEqual([0xc0, 0, 0, 8, 0, 0, 0, 100, ...CORR2]);
    expect(dst.mem(0x11008, 100)).toEqual([...f]);
    expect(dst.m.readBe64(0x10008 + 0x100000)).toBe(0n); // d1's buffer untouched
    expect(dst.dev.state.getNum('rxBufs')).toBe(2);
    expect(dst.dev.state.getNum('poolCount', 0)).toBe(1);
  });

  test('59: pools off: no pool subsection; add/use pointers continue from the same slots', () => {
    const src = fixture({ useRxBufferPools: false });
    src.reg();
    src.mapRange(0x10000, 0x4000);
    for (let k = 0; k < 3; k++) expect(src.add(0x800, 0x10000 + k * 0x1000)).toBe(0n); // slots 16, 24, 32
    expect(src.dev.deliver(src.frame(60))).toBe(true); // first fit after use_ptr 8: slot 16
    const s = saveMachine(src.m);
    expect(poolSubsection(s)).toBeUndefined();
    expect(records(s).find((r) => r.name === 'vlan')!.len).toBe(2 + 4 + 10 + wireBlocks().get('vlan')!.mainBytes + 1);

    const dst = fixture({ useRxBufferPools: false });
    loadMachine(dst.m, s);
    expect([dst.dev.state.getNum('addBufPtr'), dst.dev.state.getNum('useBufPtr'), dst.dev.state.getNum('rxBufs')]).toEqual([32, 16, 2]);
    expect(dst.add(0x800, 0x13000)).toBe(0n); // continues after the last add: slot 40
    expect(dst.bl(40, 48)).toEqual(be64(BD(0x800, 0x13000)));
    expect(dst.bl(16, 24)).toEqual(new Array(8).fill(0)); // slot 16 stays consumed
    expect(dst.dev.deliver(dst.frame(60))).toBe(true); // scan continues after use_ptr 16: slot 24
    expect(dst.bl(24, 32)).toEqual(new Array(8).fill(0));
    expect(dst.mem(0x11008, 60)).toEqual([...dst.frame(60)]);
    expect(dst.rq(16, 24)).toEqual([0xc0, 0, 0, 8, 0, 0, 0, 60]); // second queue entry
  });

  for (const [from, to] of [[true, false], [false, true]] as const) {
    test(`60: ${from ? 'pools-on' : 'pools-off'} snapshot into a ${to ? 'pools-on' : 'pools-off'} configuration is rejected`, () => {
      const src = fixture({ useRxBufferPools: from });
      src.reg();
      src.mapRange(0x10000, 0x1000);
      expect(src.add(0x800, 0x10000)).toBe(0n);
      const dst = fixture({ useRxBufferPools: to });
      const before = stateHash(dst.m);
      let err: unknown;
      try {
        loadMachine(dst.m, saveMachine(src.m));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(MigrationError);
      expect((err as MigrationError).field).toBe('vlan[0]/rx_pools');
      expect((err as Error).message).toMatch(from
        ? /^vlan\[0\]\/rx_pools: the stream carries RX buffer pools \(source use-rx-buffer-pools=on\) but this destination has use-rx-buffer-pools=off; refusing the load/
        : /^vlan\[0\]\/rx_pools: the stream has no RX buffer pool subsection \(source use-rx-buffer-pools=off, legacy buffer list\) but this destination has use-rx-buffer-pools=on; refusing the load/);
      expect(stateHash(dst.m)).toBe(before);
      // The destination still works in its own mode.
      dst.reg();
      dst.mapRange(0x10000, 0x1000);
      expect(dst.add(0x800, 0x10000)).toBe(0n);
    });
  }
});
