// -netdev socket,listen=/connect= and -netdev stream: frames over TCP (or a unix socket) with
// QEMU's 4-byte big-endian length prefix. Like QEMU, a listening backend serves one client at
// a time: later clients wait, unanswered, until the current one leaves; a client backend
// connects once and the link stays down after the peer closes (QEMU 7.2 has no reconnect).
import net from 'node:net';
import { EventEmitter } from 'node:events';
import { newStats, type NetBackend, type NetPort } from './net-port.js';
import { RxFeeder } from './rx-feeder.js';
import { encodeFrame, FrameDecoder, FrameTooBigError } from './stream-framing.js';
import type { StreamAddr } from '../config/machine-config.js';

/** Bytes queued for the peer before further frames are dropped (the peer is not reading). */
const MAX_WRITE_BACKLOG = 4 * 2 ** 20;

export interface StreamBackendOptions {
  id: string;
  server: boolean;
  addr: StreamAddr;
  log?: (msg: string) => void;
}

/** Events: 'connect' (a peer is attached), 'disconnect'. */
export class StreamBackend extends EventEmitter implements NetBackend {
  readonly id: string;
  readonly stats = newStats();
  private readonly feeder: RxFeeder;
  private readonly decoder = new FrameDecoder();
  private peer: net.Socket | undefined;
  private readonly waiting: net.Socket[] = [];
  private closed = false;

  private constructor(private readonly opts: StreamBackendOptions, private readonly server?: net.Server) {
    super();
    this.id = opts.id;
    this.feeder = new RxFeeder(this.stats, {
      pause: () => this.peer?.pause(),
      resume: () => this.peer?.resume(),
    });
  }

  /** Listens (server) or starts connecting (client). A bind failure rejects with QEMU's wording. */
  static async open(opts: StreamBackendOptions): Promise<StreamBackend> {
    if (!opts.server) {
      const b = new StreamBackend(opts);
      const sock = opts.addr.type === 'inet'
        ? net.connect({ host: opts.addr.host, port: opts.addr.port })
        : net.connect({ path: opts.addr.path });
      sock.once('connect', () => b.adopt(sock));
      sock.once('error', (e) => {
        if (!b.peer) opts.log?.(`netdev ${opts.id}: connection to ${where(opts.addr)} failed: ${e.message}`);
      });
      return b;
    }
    const server = net.createServer({ pauseOnConnect: true });
    const b = new StreamBackend(opts, server);
    server.on('connection', (s) => b.onConnection(s));
    await new Promise<void>((ok, fail) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        const why = e.code === 'EADDRINUSE' ? 'Address already in use'
          : e.code === 'EADDRNOTAVAIL' ? 'Cannot assign requested address' : e.message;
        fail(new Error(`netdev ${opts.id}: can't bind ${where(opts.addr)} to socket: ${why}`));
      });
      if (opts.addr.type === 'inet') server.listen(opts.addr.port, opts.addr.host, () => ok());
      else server.listen(opts.addr.path, () => ok());
    });
    server.removeAllListeners('error');
    server.on('error', (e) => opts.log?.(`netdev ${opts.id}: ${e.message}`));
    return b;
  }

  /** The listening address (server with port 0). */
  address(): net.AddressInfo | string | null {
    return this.server?.address() ?? null;
  }

  /** Frames read but not yet taken by the device. */
  get pendingCount(): number {
    return this.feeder.pendingCount;
  }

  get connected(): boolean {
    return this.peer !== undefined;
  }

  attach(port: NetPort): void {
    this.feeder.attach(port);
  }

  private onConnection(s: net.Socket): void {
    if (this.closed) { s.destroy(); return; }
    if (this.peer) {
      // QEMU stops accepting while it has a client; this one waits its turn.
      this.waiting.push(s);
      s.on('error', () => {});
      s.once('close', () => {
        const i = this.waiting.indexOf(s);
        if (i >= 0) this.waiting.splice(i, 1);
      });
      return;
    }
    this.adopt(s);
  }

  private adopt(s: net.Socket): void {
    this.peer = s;
    this.decoder.reset();
    s.setNoDelay(true);
    s.on('data', (chunk: Buffer) => this.onData(s, chunk));
    s.on('error', (e) => this.opts.log?.(`netdev ${this.id}: ${e.message}`));
    s.on('close', () => this.onPeerGone(s));
    if (this.feeder.isPaused) s.pause();
    else s.resume();
    this.emit('connect');
  }

  private onData(s: net.Socket, chunk: Buffer): void {
    if (s !== this.peer) return;
    let frames: Buffer[];
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      if (!(e instanceof FrameTooBigError)) throw e;
      // QEMU ends the connection on a length it cannot buffer.
      this.stats.rxDropped++;
      this.opts.log?.(`netdev ${this.id}: ${e.message}; closing the connection`);
      s.destroy();
      return;
    }
    const good = frames.filter((f) => f.length > 0);
    this.stats.rxDropped += frames.length - good.length;
    if (good.length > 0) this.feeder.push(good, false);
  }

  private onPeerGone(s: net.Socket): void {
    if (s !== this.peer) return;
    this.peer = undefined;
    this.decoder.reset();
    this.emit('disconnect');
    if (this.closed) return;
    const next = this.waiting.shift();
    if (next) {
      next.removeAllListeners('close');
      next.removeAllListeners('error');
      this.adopt(next);
    }
  }

  transmit(frame: Uint8Array): void {
    const s = this.peer;
    if (!s || this.closed || s.writableLength > MAX_WRITE_BACKLOG) {
      this.stats.txDropped++;
      return;
    }
    this.stats.txFrames++;
    this.stats.txBytes += frame.length;
    s.write(encodeFrame(frame));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.feeder.clear();
    for (const s of this.waiting.splice(0)) s.destroy();
    const p = this.peer;
    if (p) await new Promise<void>((ok) => { p.once('close', () => ok()); p.destroy(); });
    if (this.server) await new Promise<void>((ok) => this.server!.close(() => ok()));
  }
}

function where(a: StreamAddr): string {
  return a.type === 'inet' ? `${a.host}:${a.port}` : a.path;
}
