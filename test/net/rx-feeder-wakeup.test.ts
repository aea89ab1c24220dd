// Lost wake-ups between a backend's RxFeeder and a port that takes one frame per receive() call
// (spapr-vlan with rx-pending-max 1, as the npm start demo runs it): found by the demo, where
// frames sat in the backend queue while the device had 1024 free buffers.
import { describe, expect, it } from 'vitest';
import { RxFeeder } from '../../host-ts/net/rx-feeder.js';
import { newStats, type NetPort } from '../../host-ts/net/net-port.js';
import { seqFrame, seqOf } from './fake-port.js';

/** Takes at most one frame per call and never loses capacity: no onCanReceive ever comes. */
class OneAtATimePort implements NetPort {
  readonly got: number[] = [];
  private cb?: () => void;
  canReceive(): boolean { return true; }
  receive(frames: Uint8Array[]): number {
    if (!frames.length) return 0;
    this.got.push(seqOf(frames[0]));
    return 1;
  }
  onCanReceive(cb: () => void): void { this.cb = cb; }
  /** Calls back from inside receive(), like a device whose poll reports capacity coming back. */
  nested(): void { this.cb?.(); }
}

describe('RxFeeder wake-ups', () => {
  it('a port that took fewer frames but can still receive gets the rest at once', () => {
    const stats = newStats();
    const f = new RxFeeder(stats, { pause: () => {}, resume: () => {} });
    const port = new OneAtATimePort();
    f.attach(port);
    expect(f.push([0, 1, 2, 3, 4].map((i) => seqFrame(i)), false)).toBe(1);
    expect(port.got).toEqual([0, 1, 2, 3, 4]);
    expect(f.pendingCount).toBe(0);
    expect(stats.rxFrames).toBe(5);
  });

  it('onCanReceive from inside receive() does not offer the held frames twice', () => {
    const stats = newStats();
    const f = new RxFeeder(stats, { pause: () => {}, resume: () => {} });
    const port = new OneAtATimePort();
    const inner = port.receive.bind(port);
    port.receive = (frames) => { const n = inner(frames); port.nested(); return n; };
    f.attach(port);
    f.push([0, 1, 2, 3].map((i) => seqFrame(i)), false);
    expect(port.got).toEqual([0, 1, 2, 3]);
    expect(stats.rxFrames).toBe(4);
    expect(f.pendingCount).toBe(0);
  });
});
