// Guest stores from the CPU go through core-as/mem/ram.ts: they mark pages dirty for migration.
import { expect, test } from 'vitest';
import { machineWithCode, step } from './harness.js';
import { region } from '../../host-ts/layout/memory-map.js';
import * as E from './encode.js';

function dirtyPages(m: ReturnType<typeof machineWithCode>): number[] {
  const bm = new Uint8Array(m.memory.buffer, region('dirtyBitmap').base, 64);
  const pages: number[] = [];
  bm.forEach((b, i) => { for (let k = 0; k < 8; k++) if (b & (1 << k)) pages.push(i * 8 + k); });
  return pages;
}

test('CPU stores (stw, dcbz) mark their 4 KiB pages dirty while tracking is on; loads do not', () => {
  const dcbz = E.X(0, 0, 6, 1014);
  const m = machineWithCode([E.stw(3, 4, 0), E.lwz(5, 7, 0), dcbz, E.stw(3, 4, 0x1ffe)], false);
  m.state.set('dirtyTracking', 1);
  m.setGpr(4, 0x5000); m.setGpr(7, 0x9000); m.setGpr(6, 0xc040);
  step(m, 4);
  expect(dirtyPages(m)).toEqual([5, 6, 7, 0xc]); // 0x6ffe..0x7001 straddles pages 6 and 7
  expect([...m.readRam(0xc000, 128)].every((b) => b === 0)).toBe(true);
});
