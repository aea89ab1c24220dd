// Mutated streams (bit flips, truncation, length fields, overwritten bytes; half of them with a
// recomputed checksum so they reach the decoder and validators): every one is either refused
// with a MigrationError leaving the destination byte-for-byte untouched, or loads a state that
// itself passes validation again (re-save and load into another machine).
import { expect, test } from 'vitest';
import { saveMachine, loadMachine, MigrationError } from '../../host-ts/migration/index.js';
import { TAG } from '../../host-ts/migration/format.js';
import { makeMachine, mapWindow, openVlan, addPoolBuffer, rng, stateImage, sameState, restoreImage, VALID } from './helpers.js';
import { records, fixCrc } from './stream-util.js';
import { fixture, BD, H, U } from '../vlan/fixture.js';

/** A real LAN device with pools posted and frames stuck pending (no fit): rx_pools + rx_pending + ring. */
function busyDevice() {
  const fx = fixture({}, 2 << 20);
  fx.reg();
  fx.mapRange(0x10000, 0x4000);
  for (let k = 0; k < 3; k++) expect(fx.hc(H.H_ADD_LOGICAL_LAN_BUFFER, U, BD(0x200, 0x10000 + k * 0x1000))).toBe(0n);
  for (let k = 0; k < 3; k++) fx.dev.deliver(fx.frame(1000 + k, k));
  expect(fx.dev.pendingCount).toBe(3);
  return fx;
}

function base(pools: boolean): Uint8Array {
  const m = makeMachine({ pools });
  mapWindow(m, 1, 64);
  openVlan(m, 0, 0x1000, 1024);
  for (let p = 0x10; p < 0x30; p++) m.writeRam(p * 4096 + (p % 7) * 8, [p, 1, 2, 3]);
  if (pools) {
    addPoolBuffer(m, 0, VALID | (0x200n << 32n) | 0x8000n);
    addPoolBuffer(m, 0, VALID | (0x200n << 32n) | 0x9000n);
    addPoolBuffer(m, 0, VALID | (0x800n << 32n) | 0xa000n);
  }
  return saveMachine(m);
}

function mutate(s: Uint8Array, r: () => number): Uint8Array {
  const pick = (n: number): number => Math.floor(r() * n);
  const recs = records(s);
  const named = recs.filter((x) => x.payload !== undefined);
  let c = s.slice();
  switch (pick(5)) {
    case 0: // bit flips anywhere
      for (let k = 1 + pick(4); k > 0; k--) c[pick(c.length)] ^= 1 << pick(8);
      break;
    case 1: // truncation
      c = c.subarray(0, pick(c.length));
      break;
    case 2: { // a length/count field of a record
      const rec = recs[pick(recs.length)];
      const dv = new DataView(c.buffer);
      const v = [0, 1, 0xffffffff, pick(0x100000), 0x7fffffff][pick(5)];
      if (rec.payload !== undefined) dv.setUint32(rec.payload - 4, v);
      else if (rec.tag === TAG.RAM_DATA || rec.tag === TAG.RAM_ZERO) dv.setUint32(rec.at + (r() < 0.5 ? 1 : 5), v);
      else c[rec.at + 1] = v & 0xff;
      break;
    }
    case 3: { // bytes inside a device section or region (values, pools, pointers)
      const rec = named[pick(named.length)];
      const span = rec.len - (rec.payload! - rec.at);
      for (let k = 1 + pick(3); k > 0; k--) c[rec.payload! + pick(Math.min(span, 256))] = pick(256);
      break;
    }
    default: // name length / instance / version bytes of a named record
      c[named[pick(named.length)].at + 1 + pick(12)] = pick(256);
  }
  return c;
}

test('1200 mutated streams (3 sources): refused cleanly or loaded valid, destination never half-written', () => {
  const streams = [base(true), base(false), saveMachine(busyDevice().m)];
  const dsts = [makeMachine({ pools: true }), makeMachine({ pools: false }), fixture({}, 2 << 20).m];
  const other = [makeMachine({ pools: true }), makeMachine({ pools: false }), fixture({}, 2 << 20).m];
  for (const d of dsts) d.writeRam(0x3000, [0x55]);
  const images = dsts.map(stateImage);
  const otherImages = other.map(stateImage);
  const r = rng(0xf022);
  let refused = 0;
  let loaded = 0;
  const fields = new Set<string>();
  for (let i = 0; i < 1200; i++) {
    const k = i % 3;
    let s = mutate(streams[k], r);
    if (i % 4 >= 2 && s.length >= 20 && s.length === streams[k].length) s = fixCrc(s);
    try {
      loadMachine(dsts[k], s);
    } catch (e) {
      if (!(e instanceof MigrationError)) throw new Error(`case ${i}: not a MigrationError: ${(e as Error).stack}`);
      fields.add(e.field.replace(/\[\d+\]/g, '[]'));
      if (!sameState(dsts[k], images[k])) throw new Error(`case ${i}: destination changed by a refused stream (${e.message})`);
      refused++;
      continue;
    }
    loaded++;
    // Accepted: the state it produced must be valid in its own right.
    loadMachine(other[k], saveMachine(dsts[k]));
    restoreImage(dsts[k], images[k]);
    restoreImage(other[k], otherImages[k]);
  }
  expect(refused + loaded).toBe(1200);
  expect(refused).toBeGreaterThan(900);
  // The refusals came from many different checks, not one.
  expect(fields.size).toBeGreaterThan(12);
});
