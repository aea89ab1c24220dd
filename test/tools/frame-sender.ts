// Test-stream frames over QEMU's UDP socket backend (`-netdev socket,udp=..,localaddr=..` or
// `-netdev dgram`): one UDP datagram carries one Ethernet frame, both ways. Used against
// qemu-system-ppc64 and against pseries-wasm with the same guest (guests/veth).
//
// Test stream (guests/README.md): Ethernet (broadcast destination) + IPv4 + UDP to port 9; the UDP
// payload starts with a 32-bit big-endian sequence number 0, 1, 2, ...; 0xffffffff ends the stream.
//
// CLI:
//   tsx test/tools/frame-sender.ts send --local 127.0.0.1:5601 --remote 127.0.0.1:5600 \
//       --count 10000 --size 1514 [--rate 50000] [--end 3] [--recv [--timeout 10]]
//     (--recv: also count the frames coming back, e.g. from the guest in mode=echo)
//   tsx test/tools/frame-sender.ts recv --local 127.0.0.1:5601 [--timeout 10]
import { createSocket, type Socket } from 'node:dgram';
import { pathToFileURL } from 'node:url';

export const STREAM_PORT = 9;
export const STREAM_END = 0xffffffff;
export const STREAM_MIN_FRAME = 46; // 14 Ethernet + 20 IPv4 + 8 UDP + 4 sequence
/** QEMU's UDP socket backend reads at most this much per datagram (65535 - 8 UDP - 20 IPv4). */
export const UDP_MAX_FRAME = 65507;

export interface StreamAddr {
  srcMac?: Uint8Array;
  dstMac?: Uint8Array;
  srcIp?: string;
  dstIp?: string;
}

function ipBytes(ip: string): number[] {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !(x >= 0 && x <= 255))) throw new Error(`bad IPv4 address: ${ip}`);
  return p;
}

function checksum(b: Uint8Array, off: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i += 2) s += (b[off + i]! << 8) | (i + 1 < len ? b[off + i + 1]! : 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** A test-stream frame of `size` bytes with sequence number `seq`. */
export function streamFrame(size: number, seq: number, a: StreamAddr = {}): Buffer {
  if (size < STREAM_MIN_FRAME || size > 65536) throw new RangeError(`frame size ${size} outside ${STREAM_MIN_FRAME}..65536`);
  const f = Buffer.alloc(size);
  f.set(a.dstMac ?? [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], 0);
  f.set(a.srcMac ?? [0x02, 0, 0, 0, 0, 0x01], 6);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f.writeUInt16BE(size - 14, 16); // IPv4 total length (frames of 65550+ bytes would not fit; 65536 max)
  f[22] = 64;
  f[23] = 17;
  f.set(ipBytes(a.srcIp ?? '10.0.2.2'), 26);
  f.set(ipBytes(a.dstIp ?? '10.0.2.15'), 30);
  f.writeUInt16BE(checksum(f, 14, 20), 24);
  f.writeUInt16BE(STREAM_PORT, 34);
  f.writeUInt16BE(STREAM_PORT, 36);
  f.writeUInt16BE((size - 34) & 0xffff, 38);
  for (let i = 46; i < size; i++) f[i] = i & 0xff;
  f.writeUInt32BE(seq >>> 0, 42);
  return f;
}

/** Sequence number of a test-stream frame, or undefined for any other frame. */
export function streamSeq(f: Uint8Array): number | undefined {
  if (f.length < STREAM_MIN_FRAME || f[12] !== 0x08 || f[13] !== 0x00 || f[23] !== 17) return undefined;
  const ihl = (f[14]! & 15) * 4;
  const udp = 14 + ihl;
  if (f.length < udp + 12 || ((f[udp + 2]! << 8) | f[udp + 3]!) !== STREAM_PORT) return undefined;
  return ((f[udp + 8]! << 24) | (f[udp + 9]! << 16) | (f[udp + 10]! << 8) | f[udp + 11]!) >>> 0;
}

function parseHostPort(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  const port = Number(s.slice(i + 1));
  if (i < 0 || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`expected HOST:PORT, got ${s}`);
  return { host: s.slice(0, i), port };
}

const refused = new WeakMap<Socket, number>();
/** ECONNREFUSED reports seen on a socket from openUdp (peer not listening). */
export function refusedCount(sock: Socket): number { return refused.get(sock) ?? 0; }

export async function openUdp(local: string, remote?: string): Promise<Socket> {
  const l = parseHostPort(local);
  const sock = createSocket({ type: 'udp4', recvBufferSize: 8 << 20, sendBufferSize: 8 << 20 });
  await new Promise<void>((res, rej) => {
    sock.once('error', rej);
    sock.bind(l.port, l.host, () => { sock.off('error', rej); res(); });
  });
  // A connected UDP socket reports ICMP port-unreachable (the peer exited or is not bound yet)
  // as ECONNREFUSED on the next call; the datagram is lost like any other, so it is only counted.
  sock.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'ECONNREFUSED') refused.set(sock, (refused.get(sock) ?? 0) + 1);
    else throw e;
  });
  if (remote) {
    const r = parseHostPort(remote);
    await new Promise<void>((res) => sock.connect(r.port, r.host, () => res()));
  }
  return sock;
}

export interface SendOptions {
  count: number;
  size: number;
  /** Frames per second; 0 = as fast as the socket takes them. */
  rate?: number;
  /** End markers sent after the stream (QEMU may drop a few under load: send several). */
  end?: number;
  addr?: StreamAddr;
  first?: number;
}

export interface SendResult { sent: number; seconds: number; fps: number }

/** Sends `count` stream frames on a connected socket, keeping at most WINDOW sends in flight. */
export async function sendStream(sock: Socket, o: SendOptions): Promise<SendResult> {
  const WINDOW = 256;
  const bufs = Array.from({ length: WINDOW }, () => streamFrame(o.size, 0, o.addr));
  let inFlight = 0;
  let wake: (() => void) | undefined;
  const done = (): void => { inFlight--; if (wake) { const w = wake; wake = undefined; w(); } };
  const t0 = process.hrtime.bigint();
  const rate = o.rate ?? 0;
  const first = o.first ?? 0;
  for (let i = 0; i < o.count; i++) {
    while (inFlight >= WINDOW) await new Promise<void>((r) => { wake = r; });
    if (rate > 0) {
      const due = t0 + BigInt(Math.floor((i * 1e9) / rate));
      while (process.hrtime.bigint() < due) await new Promise<void>((r) => setImmediate(r));
    }
    const b = bufs[i % WINDOW]!;
    b.writeUInt32BE((first + i) >>> 0, 42);
    inFlight++;
    sock.send(b, done);
  }
  while (inFlight > 0) await new Promise<void>((r) => { wake = r; });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  for (let i = 0; i < (o.end ?? 3); i++) {
    await new Promise<void>((r) => sock.send(streamFrame(o.size, STREAM_END, o.addr), () => r()));
  }
  return { sent: o.count, seconds, fps: o.count / seconds };
}

export interface RecvStats { frames: number; bytes: number; stream: number; gaps: number; dup: number; end: number; seconds: number }

/** Counts frames arriving on `sock` until an end marker (or `timeoutMs` of silence). */
export function receiveStream(sock: Socket, timeoutMs = 5000, onFrame?: (f: Buffer) => void): Promise<RecvStats> {
  const s: RecvStats = { frames: 0, bytes: 0, stream: 0, gaps: 0, dup: 0, end: 0, seconds: 0 };
  let next = 0;
  let t0 = 0n;
  let t1 = 0n;
  return new Promise((resolve) => {
    let timer = setTimeout(finish, timeoutMs);
    function finish(): void {
      sock.off('message', onMsg);
      clearTimeout(timer);
      s.seconds = Number(t1 - t0) / 1e9;
      resolve(s);
    }
    function onMsg(f: Buffer): void {
      s.frames++;
      s.bytes += f.length;
      onFrame?.(f);
      const seq = streamSeq(f);
      if (seq === undefined) return;
      if (seq === STREAM_END) { s.end++; setImmediate(finish); return; }
      const now = process.hrtime.bigint();
      if (s.stream === 0) t0 = now;
      t1 = now;
      s.stream++;
      if (seq === next) next++;
      else if (seq > next) { s.gaps += seq - next; next = seq + 1; }
      else s.dup++;
      clearTimeout(timer);
      timer = setTimeout(finish, timeoutMs);
    }
    sock.on('message', onMsg);
  });
}

function arg(args: string[], name: string, dflt?: string): string {
  const i = args.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < args.length) return args[i + 1]!;
  if (dflt === undefined) throw new Error(`missing --${name}`);
  return dflt;
}

function printRecv(what: string, r: RecvStats): void {
  const fps = r.stream > 1 && r.seconds > 0 ? Math.round((r.stream - 1) / r.seconds) : 0;
  console.log(`${what}: frames=${r.frames} bytes=${r.bytes} stream=${r.stream} gaps=${r.gaps} dup=${r.dup} end=${r.end} seconds=${r.seconds.toFixed(3)} fps=${fps}`);
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...args] = argv;
  if (cmd === 'send') {
    const sock = await openUdp(arg(args, 'local'), arg(args, 'remote'));
    const back = args.includes('--recv') ? receiveStream(sock, Number(arg(args, 'timeout', '10')) * 1000) : undefined;
    const r = await sendStream(sock, {
      count: Number(arg(args, 'count', '1000')),
      size: Number(arg(args, 'size', '64')),
      rate: Number(arg(args, 'rate', '0')),
      end: Number(arg(args, 'end', '3')),
    });
    console.log(`sent=${r.sent} seconds=${r.seconds.toFixed(3)} fps=${Math.round(r.fps)}`);
    if (back) printRecv('received', await back);
    sock.close();
  } else if (cmd === 'recv') {
    const sock = await openUdp(arg(args, 'local'));
    printRecv('received', await receiveStream(sock, Number(arg(args, 'timeout', '10')) * 1000));
    sock.close();
  } else {
    console.error('usage: frame-sender.ts send --local H:P --remote H:P [--count N] [--size B] [--rate FPS] [--end N] [--recv [--timeout S]]\n' +
      '       frame-sender.ts recv --local H:P [--timeout S]');
    process.exit(1);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((e: unknown) => { console.error(String(e instanceof Error ? e.message : e)); process.exit(1); });
}
