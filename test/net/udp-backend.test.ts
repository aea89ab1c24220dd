import { afterEach, describe, expect, it } from 'vitest';
import dgram from 'node:dgram';
import { UdpBackend, UDP_MAX_PAYLOAD } from '../../host-ts/net/udp-backend.js';
import { FakePort, seqFrame, seqOf, sleep } from './fake-port.js';
import { until as waitUntil } from '../support/until.js';

const LO = '127.0.0.1';
let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function peerSocket(): Promise<{ sock: dgram.Socket; port: number; got: Buffer[] }> {
  const sock = dgram.createSocket('udp4');
  const got: Buffer[] = [];
  sock.on('message', (m) => got.push(m));
  await new Promise<void>((ok) => sock.bind(0, LO, () => ok()));
  cleanup.push(() => new Promise<void>((ok) => sock.close(() => ok())));
  return { sock, port: sock.address().port, got };
}

async function pair(native: boolean, maxPending?: number) {
  const peer = await peerSocket();
  const b = await UdpBackend.open({ id: 'u0', local: { host: LO, port: 0 }, remote: { host: LO, port: peer.port }, maxPending, native });
  expect(b.transport).toBe(native ? 'native' : 'dgram');
  cleanup.push(() => b.close());
  const send = (f: Uint8Array) => new Promise<void>((ok, fail) =>
    peer.sock.send(f, b.address().port, LO, (e) => (e ? fail(e) : ok())));
  return { peer, b, send };
}

const until = (cond: () => boolean) => waitUntil(cond, 'condition', 3000);

describe.each([
  ['dgram', false],
  ['native', true],
])('UDP socket backend (QEMU -netdev socket,udp= / dgram), %s transport', (_name, native) => {
  it('one datagram is one frame, both directions, in order', async () => {
    const { peer, b, send } = await pair(native);
    const port = new FakePort();
    b.attach(port);
    for (let i = 0; i < 200; i++) await send(seqFrame(i, 60 + (i % 1400)));
    await port.waitFor(200);
    expect(port.got.map(seqOf)).toEqual([...Array(200).keys()]);
    expect(port.got[7]).toEqual(seqFrame(7, 67));
    expect(b.stats.rxFrames).toBe(200);
    expect(b.stats.rxBytes).toBe(port.got.reduce((s, f) => s + f.length, 0));

    // In bursts of 20 so that the peer's socket buffer never overflows.
    for (let i = 0; i < 100; i++) {
      b.transmit(seqFrame(i, 1514));
      if (i % 20 === 19) await until(() => peer.got.length === i + 1);
    }
    expect(peer.got.map(seqOf)).toEqual([...Array(100).keys()]);
    expect(peer.got[99]).toEqual(seqFrame(99, 1514));
    expect(b.stats).toMatchObject({ txFrames: 100, txBytes: 151400, txDropped: 0 });
  });

  it('holds frames while the device cannot receive, resumes on onCanReceive, in order', async () => {
    const { b, send } = await pair(native);
    const port = new FakePort(0);
    b.attach(port);
    for (let i = 0; i < 20; i++) await send(seqFrame(i));
    if (native) {
      // The socket is not read at all: the frames wait in the kernel, as with QEMU.
      await sleep(50);
      expect(b.pendingCount).toBe(0);
    } else {
      // Node cannot stop reading a dgram socket: the backend holds them.
      await until(() => b.pendingCount === 20);
    }
    expect(port.receiveCalls).toBe(0);
    port.give(5);
    await port.waitFor(5);
    expect(port.got.map(seqOf)).toEqual([0, 1, 2, 3, 4]);
    // A new arrival queues behind the held frames (spec 4.2).
    await send(seqFrame(20));
    await sleep(20);
    expect(port.got.length).toBe(5);
    port.give(100);
    await port.waitFor(21);
    expect(port.got.map(seqOf)).toEqual([...Array(21).keys()]);
    expect(b.stats.rxDropped).toBe(0);
  });

  it.skipIf(native)('drops and counts beyond its bounded queue (dgram: cannot stop reading)', async () => {
    const { b, send } = await pair(native, 8);
    const port = new FakePort(0);
    b.attach(port);
    for (let i = 0; i < 12; i++) await send(seqFrame(i));
    await until(() => b.stats.rxDropped === 4);
    port.give(100);
    expect(port.got.map(seqOf)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('a zero-length datagram ends the connection, as in QEMU', async () => {
    const { peer, b, send } = await pair(native);
    const port = new FakePort();
    b.attach(port);
    await send(seqFrame(1));
    await send(new Uint8Array(0));
    await send(seqFrame(2));
    await until(() => b.eof);
    await sleep(20);
    expect(port.got.map(seqOf)).toEqual([1]);
    b.transmit(seqFrame(3));
    await sleep(20);
    expect(peer.got.length).toBe(0);
    expect(b.stats.txDropped).toBe(1);
  });

  it('frames above 65507 bytes cannot be sent: counted and dropped', async () => {
    const { peer, b } = await pair(native);
    b.transmit(seqFrame(1, UDP_MAX_PAYLOAD + 1));
    b.transmit(seqFrame(2, 65536));
    b.transmit(seqFrame(3, UDP_MAX_PAYLOAD));
    await until(() => peer.got.length === 1);
    expect(peer.got[0].length).toBe(UDP_MAX_PAYLOAD);
    expect(seqOf(peer.got[0])).toBe(3);
    expect(b.stats).toMatchObject({ txFrames: 1, txDropped: 2 });
  });

  // Native only: dgram's socket keeps the system's default kernel queue, which 65 KiB datagrams overflow.
  it.skipIf(!native)('a backlog of small and 65507-byte datagrams arrives whole and in order, within the device room', async () => {
    const { b, send } = await pair(native);
    // Queued in the kernel before attach: the first wakeup reads them in several batches (small
    // ones up to 256 per call, big ones ~16 per call).
    const sizes = [...Array(600).keys()].map((i) => (i % 7 === 3 ? UDP_MAX_PAYLOAD : i % 7 === 5 ? 1514 : 60));
    for (let i = 0; i < sizes.length; i++) await send(seqFrame(i, sizes[i]));
    const port = new FakePort(1000, true);
    b.attach(port);
    await port.waitFor(600);
    expect(port.got.map(seqOf)).toEqual([...Array(600).keys()]);
    expect(port.got.map((f) => f.length)).toEqual(sizes);
    expect(port.got[3]).toEqual(seqFrame(3, UDP_MAX_PAYLOAD));
    expect(port.got[598]).toEqual(seqFrame(598, UDP_MAX_PAYLOAD));
    expect(b.stats.rxFrames).toBe(600);
    expect(b.stats.rxBytes).toBe(sizes.reduce((a, x) => a + x, 0));
    expect(b.stats.rxDropped).toBe(0);
  });

  it('frames received before attach wait for the device', async () => {
    const { b, send } = await pair(native);
    await send(seqFrame(9));
    await sleep(20);
    const port = new FakePort();
    b.attach(port);
    await port.waitFor(1);
    expect(port.got.map(seqOf)).toEqual([9]);
  });

  it('bind errors name the address like QEMU', async () => {
    const peer = await peerSocket();
    await expect(UdpBackend.open({ id: 'x', local: { host: LO, port: peer.port }, remote: { host: LO, port: 9 }, native }))
      .rejects.toThrow(`netdev x: can't bind ip=127.0.0.1 to socket: Address already in use`);
    // TEST-NET-3 is not a local address: the bind fails, nothing is sent.
    await expect(UdpBackend.open({ id: 'x', local: { host: '203.0.113.1', port: 5000 }, remote: { host: LO, port: 9 }, native }))
      .rejects.toThrow(`netdev x: can't bind ip=203.0.113.1 to socket: Cannot assign requested address`);
  });
});
