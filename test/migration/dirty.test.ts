// Dirty-page tracking: host writes and core-as device stores mark pages; read-and-clear returns
// them ascending once.
import { expect, test } from 'vitest';
import { startDirtyTracking, stopDirtyTracking, takeDirtyPages, countDirtyPages, markDirtyRange } from '../../host-ts/migration/index.js';
import { fixture, GPA_OFFSET } from '../vlan/fixture.js';

test('host writes mark pages only while tracking; read-and-clear returns them once, ascending', () => {
  const fx = fixture();
  const m = fx.m;
  m.writeRam(0x5000, [1]);
  startDirtyTracking(m);
  expect(countDirtyPages(m)).toBe(0);
  m.writeRam(0x21000 + 4095, [1, 2]); // straddles pages 0x21 and 0x22
  m.writeBe64(0x100 * 4096, 5n);
  m.writeRam(0x0, [9]);
  markDirtyRange(m, 0x3ff000, 4096); // last page of 4 MiB
  expect(countDirtyPages(m)).toBe(5);
  expect([...takeDirtyPages(m)]).toEqual([0, 0x21, 0x22, 0x100, 0x3ff]);
  expect([...takeDirtyPages(m)]).toEqual([]);
  stopDirtyTracking(m);
  m.writeRam(0x7000, [1]);
  expect(countDirtyPages(m)).toBe(0);
});

test('device stores in core-as (RX data, queue entry) mark their pages', () => {
  const fx = fixture();
  fx.reg();
  fx.map(0x10000);
  expect(fx.add(0x200, 0x10000)).toBe(0n);
  startDirtyTracking(fx.m);
  expect(fx.dev.deliver(fx.frame(60))).toBe(true);
  const pages = [...takeDirtyPages(fx.m)];
  // RX queue entry at IOVA 0x3000, frame at 0x10008: guest real = IOVA + GPA_OFFSET.
  expect(pages).toEqual([(0x3000 + GPA_OFFSET) >> 12, (0x10000 + GPA_OFFSET) >> 12]);
  stopDirtyTracking(fx.m);
});

test('runLoopControl: pause stops the loop at once, resume restarts it', async () => {
  const { runLoopControl } = await import('../../host-ts/migration/index.js');
  let turns = 0;
  let stop = false;
  const loop = {
    async start() {
      stop = false;
      while (!stop) {
        turns++;
        await new Promise((r) => setImmediate(r));
      }
    },
    stop() { stop = true; },
  };
  const c = runLoopControl(loop);
  expect(c.isRunning).toBe(false);
  c.resume();
  await new Promise((r) => setTimeout(r, 5));
  expect(c.isRunning).toBe(true);
  c.pause();
  const at = turns;
  await new Promise((r) => setTimeout(r, 5));
  expect(c.isRunning).toBe(false);
  expect(turns).toBe(at);
  c.resume();
  await new Promise((r) => setTimeout(r, 5));
  expect(turns).toBeGreaterThan(at);
  c.pause();
});
