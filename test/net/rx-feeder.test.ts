import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RxFeeder } from '../../host-ts/net/rx-feeder.js';
import { newStats } from '../../host-ts/net/net-port.js';
import { FakePort, seqFrame, seqOf } from './fake-port.js';

describe('RxFeeder', () => {
  it('delivers every frame once, in order, and is paused exactly while it holds frames or the device is full', () => {
    // Random interleavings of arrivals (bursts) and device capacity returning.
    const op = fc.oneof(
      fc.record({ push: fc.integer({ min: 1, max: 5 }) }),
      fc.record({ give: fc.integer({ min: 0, max: 6 }) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 60 }), fc.integer({ min: 0, max: 3 }), (ops, room0) => {
      const stats = newStats();
      const events: string[] = [];
      const f = new RxFeeder(stats, { pause: () => events.push('pause'), resume: () => events.push('resume'), maxPending: 1e6 });
      const port = new FakePort(room0);
      f.attach(port);
      let next = 0;
      for (const o of ops) {
        if ('push' in o) {
          const burst = Array.from({ length: o.push }, () => seqFrame(next++));
          f.push(burst, true);
        } else {
          port.give(o.give);
        }
        expect(f.isPaused).toBe(f.pendingCount > 0 || !port.canReceive());
      }
      port.give(1e6);
      expect(port.got.map(seqOf)).toEqual([...Array(next).keys()]);
      expect(f.pendingCount).toBe(0);
      expect(stats.rxFrames).toBe(next);
      expect(stats.rxDropped).toBe(0);
      // pause/resume strictly alternate, starting with pause.
      events.forEach((e, i) => expect(e).toBe(i % 2 === 0 ? 'pause' : 'resume'));
    }), { numRuns: 200 });
  });

  it('copies transient views it keeps, keeps owned frames as they are', () => {
    const f = new RxFeeder(newStats(), { pause: () => {}, resume: () => {} });
    const port = new FakePort(0);
    f.attach(port);
    const ring = seqFrame(1);
    const owned = seqFrame(2);
    f.push([ring], true);
    f.push([owned], false);
    ring.fill(0xee);
    owned.writeUInt32BE(3, 0);
    port.give(2);
    expect(port.got.map(seqOf)).toEqual([1, 3]);
  });

  it('offers no more than the port\'s receiveRoom() hint per call', () => {
    const f = new RxFeeder(newStats(), { pause: () => {}, resume: () => {} });
    const offered: number[] = [];
    let room = 3;
    let cb = () => {};
    f.attach({
      canReceive: () => room > 0,
      receiveRoom: () => room,
      // A device that would queue everything it is given (like a pending queue).
      receive: (frames) => { offered.push(frames.length); room = Math.max(0, room - frames.length); return frames.length; },
      onCanReceive: (c) => { cb = c; },
    });
    f.push(Array.from({ length: 10 }, (_, i) => seqFrame(i)), true);
    expect(offered).toEqual([3]);
    expect(f.pendingCount).toBe(7);
    room = 5;
    cb();
    expect(offered).toEqual([3, 5]);
    expect(f.pendingCount).toBe(2);
  });

  it('re-entry: the device signals capacity from inside receive(), a drain handler feeds more; order kept, nothing twice', () => {
    const got: number[] = [];
    let room = 2;
    let cb = () => {};
    // eslint-disable-next-line prefer-const
    let f: RxFeeder;
    let refilled = false;
    f = new RxFeeder(newStats(), {
      pause: () => {}, resume: () => {},
      // Like an in-process producer refilling from its 'drain' event.
      drained: () => { if (!refilled) { refilled = true; f.push([100, 101, 102].map((i) => seqFrame(i)), false); } },
    });
    f.attach({
      canReceive: () => room > 0,
      receive: (frames) => {
        const n = Math.min(room, frames.length);
        for (let i = 0; i < n; i++) got.push(seqOf(frames[i]));
        room -= n;
        // A device that replenishes and fires its can-receive edge synchronously.
        if (room === 0) { room = 1; cb(); }
        return n;
      },
      onCanReceive: (c) => { cb = c; },
    });
    f.push([0, 1, 2, 3, 4].map((i) => seqFrame(i)), false);
    // Room for exactly the 3 held frames: the device's edge fires inside this drain's receive().
    room = 3;
    cb();
    expect(got).toEqual([0, 1, 2, 3, 4, 100, 101, 102]);
    expect(f.pendingCount).toBe(0);
  });

  it('refuses a second device', () => {
    const f = new RxFeeder(newStats(), { pause: () => {}, resume: () => {} });
    f.attach(new FakePort());
    expect(() => f.attach(new FakePort())).toThrow('backend already attached to a device');
  });
});
