// Backends against the real spapr-vlan device (no CPU: hypercalls issued from the host, as in
// the conformance fixture): frames from a UDP peer land in guest buffers and the RX queue,
// the device's can_receive stops and restarts the backend, H_SEND reaches the peer.
import { afterEach, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { fixture, BD, H, U } from '../vlan/fixture.js';
import { UdpBackend } from '../../host-ts/net/udp-backend.js';
import { InProcessBackend } from '../../host-ts/net/in-process-backend.js';
import { seqFrame, seqOf, sleep } from './fake-port.js';
import { until as waitUntil } from '../support/until.js';

const LO = '127.0.0.1';
let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const until = (cond: () => boolean) => waitUntil(cond, 'condition', 3000);

const BUF = 0x10000; // first RX buffer IOVA; 4 KiB each

/** Posts `n` 2 KiB buffers (one per page), each with its index as correlator (first 8 bytes). */
function openLan(fx: ReturnType<typeof fixture>, n: number, first = 0): void {
  for (let i = first; i < first + n; i++) {
    fx.map(BUF + i * 0x1000);
    fx.write(BUF + i * 0x1000, [0, 0, 0, 0, 0, 0, 0, i]);
    expect(fx.add(2048, BUF + i * 0x1000)).toBe(0n);
  }
}

/** RX-queue entry i: control, offset, length, and the sequence number of the frame in its buffer. */
function entry(fx: ReturnType<typeof fixture>, i: number) {
  const e = fx.rq(i * 16, i * 16 + 16);
  const len = (e[4] << 24) | (e[5] << 16) | (e[6] << 8) | e[7];
  const buf = BUF + e[15] * 0x1000; // the correlator names the buffer (pools hand them out LIFO)
  return { ctl: e[0], off: (e[2] << 8) | e[3], len, seq: seqOf(Uint8Array.from(fx.mem(buf + 8, 4))) };
}

describe('backends with the spapr-vlan device', () => {
  it('UDP -> guest buffers; backend held while no buffers, resumed by H_ADD_LOGICAL_LAN_BUFFER; H_SEND -> UDP', async () => {
    const fx = fixture();
    fx.reg();
    expect(fx.hc(H.H_VIO_SIGNAL, U, 0)).toBe(0n);
    openLan(fx, 3);
    const peer = dgram.createSocket('udp4');
    const peerGot: Buffer[] = [];
    peer.on('message', (m) => peerGot.push(m));
    await new Promise<void>((ok) => peer.bind(0, LO, () => ok()));
    cleanup.push(() => new Promise<void>((ok) => peer.close(() => ok())));
    const udp = await UdpBackend.open({ id: 'n0', local: { host: LO, port: 0 }, remote: { host: LO, port: peer.address().port } });
    cleanup.push(() => udp.close());
    fx.dev.attachBackend(udp);

    for (let i = 0; i < 5; i++) {
      await new Promise<void>((ok) => peer.send(seqFrame(i, 100 + i), udp.address().port, LO, () => ok()));
    }
    // Three frames in three buffers, entries in order; the other two are held (in the socket's
    // receive queue: the backend reads no more than the device's receiveRoom(), or by the backend
    // or the device's pending queue), not counted as no-buffer drops (spec 4.2: held, not counted).
    await until(() => fx.dev.counters().rxFrames === 3n);
    await sleep(50);
    expect(fx.dev.counters().rxFrames).toBe(3n);
    expect(udp.pendingCount + fx.dev.pendingCount).toBeLessThanOrEqual(2);
    for (let i = 0; i < 3; i++) {
      expect(entry(fx, i)).toEqual({ ctl: 0xc0, off: 8, len: 100 + i, seq: i });
    }
    expect(fx.counter()).toBe(0n);
    expect(fx.dev.canReceive()).toBe(false);

    openLan(fx, 2, 3);
    // Buffers are back: the device's flush timer and onCanReceive bring the held frames in.
    await until(() => {
      fx.advanceUs(1000);
      fx.m.poll();
      return fx.dev.counters().rxFrames === 5n;
    });
    expect(udp.pendingCount + fx.dev.pendingCount).toBe(0);
    expect(udp.stats.rxFrames).toBe(5);
    expect(entry(fx, 3)).toEqual({ ctl: 0xc0, off: 8, len: 103, seq: 3 });
    expect(entry(fx, 4)).toEqual({ ctl: 0xc0, off: 8, len: 104, seq: 4 });
    expect(fx.counter()).toBe(0n);

    // Guest -> network: one frame gathered from two descriptors.
    const out = seqFrame(77, 1514);
    fx.map(0x40000);
    fx.write(0x40000, out.subarray(0, 1000));
    fx.write(0x40800, out.subarray(1000));
    expect(fx.hc(H.H_SEND_LOGICAL_LAN, U, BD(1000, 0x40000), BD(514, 0x40800), 0, 0, 0, 0, 0)).toBe(0n);
    fx.m.poll();
    await until(() => peerGot.length === 1);
    expect(peerGot[0].equals(out)).toBe(true);
    expect(udp.stats.txFrames).toBe(1);
  });

  it('in-process: send() reports the device full, drain when buffers return', async () => {
    const fx = fixture();
    fx.reg();
    openLan(fx, 2);
    const ip = new InProcessBackend({ id: 'ip' });
    fx.dev.attachBackend(ip);
    expect(ip.send(seqFrame(0), seqFrame(1))).toBe(true);
    // No buffer left: the device cannot receive, so the backend holds the next frames itself.
    expect(ip.send(seqFrame(2), seqFrame(3))).toBe(false);
    expect(ip.pendingCount).toBe(2);
    let drained = false;
    ip.once('drain', () => { drained = true; });
    openLan(fx, 2, 2);
    fx.m.poll();
    expect(drained).toBe(true);
    expect(ip.pendingCount).toBe(0);
    fx.advanceUs(1000); // the device's flush timer delivers what it queued itself
    fx.m.poll();
    expect([0, 1, 2, 3].map((i) => entry(fx, i).seq)).toEqual([0, 1, 2, 3]);
    expect(fx.counter()).toBe(0n);
  });
});
