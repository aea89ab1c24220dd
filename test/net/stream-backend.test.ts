import { afterEach, describe, expect, it } from 'vitest';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StreamBackend } from '../../host-ts/net/stream-backend.js';
import { encodeFrame, FrameDecoder, STREAM_MAX_FRAME } from '../../host-ts/net/stream-framing.js';
import { FakePort, seqFrame, seqOf, sleep } from './fake-port.js';
import { until as waitUntil } from '../support/until.js';

const LO = '127.0.0.1';
let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

const until = (cond: () => boolean) => waitUntil(cond, 'condition', 3000);

async function server() {
  const b = await StreamBackend.open({ id: 's0', server: true, addr: { type: 'inet', host: LO, port: 0 } });
  cleanup.push(() => b.close());
  return { b, port: (b.address() as net.AddressInfo).port };
}

/** A QEMU-style peer: writes length-prefixed frames, decodes what it reads. */
async function client(port: number) {
  const s = net.connect({ host: LO, port });
  await once(s, 'connect');
  const dec = new FrameDecoder();
  const got: Buffer[] = [];
  s.on('data', (c) => got.push(...dec.push(c)));
  s.on('error', () => {});
  cleanup.push(() => { s.destroy(); });
  return { s, got };
}

describe('stream framing', () => {
  it('decodes frames split at any byte boundary', () => {
    const frames = [seqFrame(1, 60), seqFrame(2, 1514), seqFrame(3, 9000)];
    const wire = Buffer.concat(frames.map(encodeFrame));
    expect(wire.readUInt32BE(0)).toBe(60);
    for (const step of [1, 3, 7, 1000, wire.length]) {
      const dec = new FrameDecoder();
      const out: Buffer[] = [];
      for (let i = 0; i < wire.length; i += step) out.push(...dec.push(wire.subarray(i, i + step)));
      expect(out).toEqual(frames);
    }
  });
  it('refuses a length above QEMU\'s buffer', () => {
    const hdr = Buffer.alloc(4);
    hdr.writeUInt32BE(STREAM_MAX_FRAME + 1);
    expect(() => new FrameDecoder().push(hdr)).toThrow(`frame length ${STREAM_MAX_FRAME + 1} exceeds ${STREAM_MAX_FRAME}`);
    hdr.writeUInt32BE(STREAM_MAX_FRAME);
    expect(new FrameDecoder().push(hdr)).toEqual([]);
  });
});

describe('stream backend (QEMU -netdev socket,listen=/connect= and stream)', () => {
  it('server: frames both directions with 4-byte BE lengths, in order', async () => {
    const { b, port } = await server();
    const fp = new FakePort();
    b.attach(fp);
    const c = await client(port);
    await until(() => b.connected);
    // Byte-by-byte for the first frame: the decoder must reassemble.
    const first = encodeFrame(seqFrame(0, 100));
    for (const byte of first) c.s.write(Buffer.of(byte));
    for (let i = 1; i < 300; i++) c.s.write(encodeFrame(seqFrame(i, 60 + i * 7)));
    await fp.waitFor(300);
    expect(fp.got.map(seqOf)).toEqual([...Array(300).keys()]);
    expect(fp.got[299]).toEqual(seqFrame(299, 60 + 299 * 7));

    for (let i = 0; i < 50; i++) b.transmit(seqFrame(i, 65536));
    await until(() => c.got.length === 50);
    expect(c.got.map(seqOf)).toEqual([...Array(50).keys()]);
    expect(c.got[0].length).toBe(65536);
    expect(b.stats).toMatchObject({ rxFrames: 300, txFrames: 50, txBytes: 50 * 65536, txDropped: 0, rxDropped: 0 });
  });

  it('backpressure: stops reading the socket while the device cannot receive', async () => {
    const { b, port } = await server();
    const fp = new FakePort(0);
    b.attach(fp);
    const c = await client(port);
    const N = 3000;
    for (let i = 0; i < N; i++) c.s.write(encodeFrame(seqFrame(i, 1000)));
    await sleep(100);
    // The device had no room from the start: the socket was never read.
    expect(fp.receiveCalls).toBe(0);
    expect(b.pendingCount).toBe(0);
    fp.give(5);
    await fp.waitFor(5);
    await sleep(50);
    // It read one chunk, gave 5 frames, kept the rest of that chunk and stopped reading:
    // the remaining frames wait in socket buffers, nothing is dropped.
    expect(fp.got.map(seqOf)).toEqual([0, 1, 2, 3, 4]);
    expect(b.pendingCount).toBeGreaterThan(0);
    expect(b.pendingCount).toBeLessThan(N / 4);
    expect(b.stats.rxDropped).toBe(0);
    fp.give(10);
    expect(fp.got.map(seqOf)).toEqual([...Array(15).keys()]);
    fp.give(Infinity);
    await fp.waitFor(N);
    expect(fp.got.map(seqOf)).toEqual([...Array(N).keys()]);
    expect(b.stats.rxDropped).toBe(0);
  });

  it('listen serves one client at a time; the next one is served when it leaves', async () => {
    const { b, port } = await server();
    const fp = new FakePort();
    b.attach(fp);
    const c1 = await client(port);
    await until(() => b.connected);
    const c2 = await client(port);
    c2.s.write(encodeFrame(seqFrame(200)));
    c1.s.write(encodeFrame(seqFrame(100)));
    await fp.waitFor(1);
    await sleep(30);
    expect(fp.got.map(seqOf)).toEqual([100]);
    b.transmit(seqFrame(1));
    await until(() => c1.got.length === 1);
    c1.s.end();
    await fp.waitFor(2);
    expect(fp.got.map(seqOf)).toEqual([100, 200]);
    b.transmit(seqFrame(2));
    await until(() => c2.got.length === 1);
    expect(seqOf(c2.got[0])).toBe(2);
    expect(c1.got.map(seqOf)).toEqual([1]);
  });

  it('a length too big ends the connection; frames sent with no peer are counted', async () => {
    const { b, port } = await server();
    b.attach(new FakePort());
    b.transmit(seqFrame(1));
    expect(b.stats.txDropped).toBe(1);
    const c = await client(port);
    const hdr = Buffer.alloc(4);
    hdr.writeUInt32BE(0x100000);
    c.s.write(hdr);
    await once(c.s, 'close');
    expect(b.stats.rxDropped).toBe(1);
    await until(() => !b.connected);
  });

  it('client: connects, moves frames, link down after the peer closes', async () => {
    const srv = net.createServer();
    srv.listen(0, LO);
    await once(srv, 'listening');
    cleanup.push(() => new Promise<void>((ok) => srv.close(() => ok())));
    const accepted = once(srv, 'connection');
    const b = await StreamBackend.open({ id: 'c0', server: false, addr: { type: 'inet', host: LO, port: (srv.address() as net.AddressInfo).port } });
    cleanup.push(() => b.close());
    const fp = new FakePort();
    b.attach(fp);
    const [peer] = (await accepted) as [net.Socket];
    await until(() => b.connected);
    const dec = new FrameDecoder();
    const got: Buffer[] = [];
    peer.on('data', (d) => got.push(...dec.push(d)));
    peer.write(Buffer.concat([encodeFrame(seqFrame(5)), encodeFrame(seqFrame(6))]));
    b.transmit(seqFrame(7, 1514));
    await fp.waitFor(2);
    await until(() => got.length === 1);
    expect(fp.got.map(seqOf)).toEqual([5, 6]);
    expect(got[0]).toEqual(seqFrame(7, 1514));
    peer.destroy();
    await until(() => !b.connected);
    b.transmit(seqFrame(8));
    expect(b.stats.txDropped).toBe(1);
  });

  it('client: a refused connection is logged, not thrown (QEMU 7.2 carries on)', async () => {
    const srv = net.createServer();
    srv.listen(0, LO);
    await once(srv, 'listening');
    const p = (srv.address() as net.AddressInfo).port;
    await new Promise<void>((ok) => srv.close(() => ok()));
    const logs: string[] = [];
    const b = await StreamBackend.open({ id: 'c1', server: false, addr: { type: 'inet', host: LO, port: p }, log: (m) => logs.push(m) });
    cleanup.push(() => b.close());
    await until(() => logs.length === 1);
    expect(logs[0]).toMatch(new RegExp(`^netdev c1: connection to 127.0.0.1:${p} failed: .*ECONNREFUSED`));
    expect(b.connected).toBe(false);
  });

  it('listen on an address that is not local fails with QEMU wording', async () => {
    // TEST-NET-3: never local, so bind fails before anything is sent.
    await expect(StreamBackend.open({ id: 's2', server: true, addr: { type: 'inet', host: '203.0.113.1', port: 5000 } }))
      .rejects.toThrow("netdev s2: can't bind 203.0.113.1:5000 to socket: Cannot assign requested address");
  });

  it('unix socket addresses (stream,addr.type=unix): server and client', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pw-sock-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, 'n.sock');
    const srv = await StreamBackend.open({ id: 'us', server: true, addr: { type: 'unix', path } });
    cleanup.push(() => srv.close());
    const cli = await StreamBackend.open({ id: 'uc', server: false, addr: { type: 'unix', path } });
    cleanup.push(() => cli.close());
    const a = new FakePort();
    const b = new FakePort();
    srv.attach(a);
    cli.attach(b);
    await until(() => srv.connected && cli.connected);
    cli.transmit(seqFrame(1, 1514));
    srv.transmit(seqFrame(2, 60));
    await a.waitFor(1);
    await b.waitFor(1);
    expect(a.got[0]).toEqual(seqFrame(1, 1514));
    expect(b.got[0]).toEqual(seqFrame(2, 60));
  });

  it('listen on a port in use fails with QEMU wording', async () => {
    const { port } = await server();
    await expect(StreamBackend.open({ id: 's1', server: true, addr: { type: 'inet', host: LO, port } }))
      .rejects.toThrow(`netdev s1: can't bind 127.0.0.1:${port} to socket: Address already in use`);
  });
});
