import { describe, expect, it } from 'vitest';
import { once } from 'node:events';
import { InProcessBackend } from '../../host-ts/net/in-process-backend.js';
import { createNetBackend } from '../../host-ts/net/create-backend.js';
import { FakePort, seqFrame, seqOf } from './fake-port.js';

describe('in-process backend', () => {
  it('send() feeds the device in order; false + drain when it cannot take them', async () => {
    const b = new InProcessBackend({ id: 'ip' });
    const port = new FakePort(3);
    b.attach(port);
    expect(b.send(seqFrame(0), seqFrame(1))).toBe(true);
    expect(b.send(seqFrame(2), seqFrame(3), seqFrame(4))).toBe(false);
    expect(b.pendingCount).toBe(2);
    expect(port.got.map(seqOf)).toEqual([0, 1, 2]);
    const drained = once(b, 'drain');
    port.give(10);
    await drained;
    expect(port.got.map(seqOf)).toEqual([0, 1, 2, 3, 4]);
    expect(b.stats).toMatchObject({ rxFrames: 5, rxBytes: 5 * 64, rxDropped: 0 });
  });

  it('bounds what it holds', () => {
    const b = new InProcessBackend({ id: 'ip', maxPending: 2 });
    b.attach(new FakePort(0));
    expect(b.send(seqFrame(0), seqFrame(1), seqFrame(2))).toBe(false);
    expect(b.pendingCount).toBe(2);
    expect(b.stats.rxDropped).toBe(1);
  });

  it('guest frames come out as events and through frames(), copied', async () => {
    const b = await createNetBackend({ type: 'in-process', id: 'ip' }) as InProcessBackend;
    const seen: number[] = [];
    b.on('frame', (f: Uint8Array) => seen.push(seqOf(f)));
    const it = b.frames();
    const first = it.next();
    const ring = seqFrame(7, 100);
    b.transmit(ring);
    ring.fill(0); // the device reuses its staging ring
    const f = (await first).value!;
    expect(seqOf(f)).toBe(7);
    expect(f.length).toBe(100);
    b.transmit(seqFrame(8));
    expect((await it.next()).value!.length).toBe(64);
    expect(seen).toEqual([7, 8]);
    await b.close();
    expect((await it.next()).done).toBe(true);
    b.transmit(seqFrame(9));
    expect(b.stats).toMatchObject({ txFrames: 2, txBytes: 164, txDropped: 1 });
    expect(() => b.send(seqFrame(1))).toThrow('netdev ip is closed');
  });
});
