// Host side of the socket backends alone: frames/s a UdpBackend / StreamBackend hands to a port
// that always has room, from a sender in a worker thread on loopback. This is the ceiling the
// backends put on guest receive rates; the QEMU 7.2 guest figures (TCG, 2 cores) are
// printed beside it for scale.
import { Worker } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import { UdpBackend } from '../host-ts/net/udp-backend.js';
import { StreamBackend } from '../host-ts/net/stream-backend.js';
import type { NetBackend, NetPort } from '../host-ts/net/net-port.js';

const LO = '127.0.0.1';
const SECONDS = 1.5;
const QEMU_GUEST_FPS: Record<number, number> = { 64: 138_000, 1514: 124_000, 65000: 31_000 };

const SENDER = `
const { parentPort, workerData: w } = require('node:worker_threads');
const dgram = require('node:dgram');
const net = require('node:net');
const frame = Buffer.alloc(w.size, 0xab);
const end = Date.now() + w.ms;
let sent = 0;
if (w.kind === 'udp') {
  const s = dgram.createSocket('udp4');
  const pump = () => {
    // Bursts of 32, then yield so completions run; a connected socket skips per-send lookups.
    for (let i = 0; i < 32 && s.getSendQueueCount() < 256; i++) { s.send(frame); sent++; }
    if (Date.now() < end) setImmediate(pump); else s.close(() => parentPort.postMessage(sent));
  };
  s.connect(w.port, '${LO}', pump);
} else {
  const hdr = Buffer.alloc(4); hdr.writeUInt32BE(w.size);
  const rec = Buffer.concat(Array(16).fill(Buffer.concat([hdr, frame])));
  const c = net.connect(w.port, '${LO}', () => {
    const pump = () => {
      while (Date.now() < end) { sent += 16; if (!c.write(rec)) return c.once('drain', pump); }
      c.end(() => parentPort.postMessage(sent));
    };
    pump();
  });
}`;

function countingPort(): NetPort & { frames: number } {
  const p = {
    frames: 0,
    canReceive: () => true,
    receive(frames: Uint8Array[]) { p.frames += frames.length; return frames.length; },
    onCanReceive() {},
  };
  return p;
}

type Kind = 'udp' | 'udp-dgram' | 'stream';

async function measure(kind: Kind, size: number): Promise<{ fps: number; sent: number; got: number; perBatch: number }> {
  let b: NetBackend & { batches?: number };
  let port: number;
  if (kind !== 'stream') {
    const u = await UdpBackend.open({ id: 'bench', local: { host: LO, port: 0 }, remote: { host: LO, port: 9 }, maxPending: 1e6, native: kind === 'udp' });
    b = u;
    port = u.address().port;
  } else {
    const s = await StreamBackend.open({ id: 'bench', server: true, addr: { type: 'inet', host: LO, port: 0 } });
    b = s;
    port = (s.address() as AddressInfo).port;
  }
  const p = countingPort();
  b.attach(p);
  const t0 = process.hrtime.bigint();
  const w = new Worker(SENDER, { eval: true, workerData: { kind: kind === 'stream' ? 'stream' : 'udp', size, port, ms: SECONDS * 1000 } });
  const sent: number = await new Promise((ok) => w.once('message', ok));
  await new Promise((r) => setTimeout(r, 100)); // let the last frames arrive
  const secs = Number(process.hrtime.bigint() - t0) / 1e9 - 0.1;
  await b.close();
  await w.terminate();
  return { fps: p.frames / secs, sent, got: p.frames, perBatch: b.batches ? p.frames / b.batches : NaN };
}

export default async function main(): Promise<void> {
  const k = (n: number) => `${(n / 1000).toFixed(0)}k`.padStart(6);
  console.log('backend   frame B   frames/s   received/sent   frames/batch   vs QEMU guest rx (issue 4)');
  // udp = native addon transport; udp-dgram = Node's dgram (the fallback), side by side.
  for (const kind of ['udp', 'udp-dgram', 'stream'] as const) {
    for (const size of [64, 1514, 65000]) {
      const r = await measure(kind, size);
      const q = QEMU_GUEST_FPS[size];
      console.log(`${kind.padEnd(9)}${String(size).padStart(7)}   ${k(r.fps)}     ${String(r.got).padStart(7)}/${String(r.sent).padEnd(7)}   ${Number.isNaN(r.perBatch) ? '     -' : r.perBatch.toFixed(1).padStart(6)}         x${(r.fps / q).toFixed(2)}`);
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
