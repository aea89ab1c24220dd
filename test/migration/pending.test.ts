// The host-side pending queue (spec 4.2) migrates in the vlan/rx_pending subsection plus the live
// window of its ring (region rxStage): frames that arrived while the guest had no buffer are
// delivered on the destination, in order, by the flush armed after load.
import { describe, expect, test } from 'vitest';
import { saveMachine, loadMachine, MigrationError } from '../../host-ts/migration/index.js';
import { view } from '../../host-ts/layout/state-view.js';
import { fixture, H, U, BD } from '../vlan/fixture.js';
import { records, forge, section } from './stream-util.js';
import { stateHash } from './helpers.js';

function withPending(n: number) {
  const fx = fixture();
  fx.reg();
  fx.mapRange(0x10000, 0x8000);
  for (let k = 0; k < n; k++) expect(fx.dev.deliver(fx.frame(60 + k, k))).toBe(true); // no buffer: pending
  expect(fx.dev.pendingCount).toBe(n);
  return fx;
}

describe('pending frames', () => {
  test('travel with the machine and reach the guest on the destination, in order', () => {
    const src = withPending(3);
    const s = saveMachine(src.m);
    const ring = records(s).find((r) => r.name === 'rxStage')!;
    expect(ring.len).toBeGreaterThan(3 * (8 + 60));
    const dst = fixture();
    loadMachine(dst.m, s);
    expect(dst.dev.pendingCount).toBe(3);
    expect(dst.dev.pendingFrames()).toEqual([0, 1, 2].map((k) => src.frame(60 + k, k)));
    for (let k = 0; k < 3; k++) expect(dst.hc(H.H_ADD_LOGICAL_LAN_BUFFER, U, BD(0x800, 0x10000 + k * 0x1000))).toBe(0n);
    dst.advanceUs(600); // the flush armed at load time fires
    expect(dst.dev.pendingCount).toBe(0);
    // Pools are LIFO: the first pending frame lands in the last buffer posted.
    expect(dst.mem(0x12008, 60)).toEqual([...src.frame(60, 0)]);
    expect(dst.mem(0x11008, 61)).toEqual([...src.frame(61, 1)]);
    expect(dst.mem(0x10008, 62)).toEqual([...src.frame(62, 2)]);
    expect(dst.rq(0, 8)).toEqual([0xc0, 0, 0, 8, 0, 0, 0, 60]);
  });

  test('no pending frames: no subsection, an empty ring record', () => {
    const src = fixture();
    const s = saveMachine(src.m);
    expect(records(s).find((r) => r.name === 'rxStage')!.len).toBe(2 + 7 + 10 + 4);
  });

  test('a corrupt pending ring is refused, destination untouched', () => {
    const src = withPending(2);
    const good = saveMachine(src.m);
    const dst = fixture();
    const before = stateHash(dst.m);
    const ring = section(good, 'rxStage');
    // First record's length (little-endian, as in the ring) made huge.
    const bad = forge(good, (c) => { c[ring.payload! + 4 + 8 + 3] = 0x7f; });
    expect(() => loadMachine(dst.m, bad)).toThrow(MigrationError);
    try { loadMachine(dst.m, bad); } catch (e) { expect((e as Error).message).toMatch(/^rxStage\[0\]\.record\[0\]: frame length \d+ at offset 0 runs past the ring$/); }
    const v = view(src.m.memory, 'vlan', 0);
    v.set('rxPendCount', 100000);
    expect(() => loadMachine(dst.m, saveMachine(src.m))).toThrow('vlan[0].rxPendCount: 100000 pending frames, the destination holds 1..');
    expect(stateHash(dst.m)).toBe(before);
  });
});
