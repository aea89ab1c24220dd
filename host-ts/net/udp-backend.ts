// -netdev socket,udp=REMOTE,localaddr=LOCAL and -netdev dgram (inet): one UDP datagram carries
// one Ethernet frame, no header. Datagrams from any source are accepted (QEMU does not filter
// on the remote address); frames go to the remote address.
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { newStats, type NetBackend, type NetPort } from './net-port.js';
import { RxFeeder } from './rx-feeder.js';
import type { HostAddr } from '../config/machine-config.js';

/** Largest UDP payload over IPv4 (65535 - 20 IP - 8 UDP). Bigger frames cannot be sent. */
export const UDP_MAX_PAYLOAD = 65507;
/** Datagrams waiting in the socket's send queue before further frames are dropped. */
const MAX_SEND_QUEUE = 1024;

export interface UdpBackendOptions {
  id: string;
  local: HostAddr;
  remote: HostAddr;
  /** Frames held while the device cannot receive (Node cannot stop reading a UDP socket). */
  maxPending?: number;
  log?: (msg: string) => void;
}

async function resolve(host: string): Promise<{ address: string; family: 4 | 6 }> {
  const fam = isIP(host);
  if (fam === 4 || fam === 6) return { address: host, family: fam };
  const r = await lookup(host);
  return { address: r.address, family: r.family === 6 ? 6 : 4 };
}

export class UdpBackend implements NetBackend {
  readonly id: string;
  readonly stats = newStats();
  /** True after a zero-length datagram: QEMU takes it as end of connection and stops. */
  eof = false;
  private readonly feeder: RxFeeder;
  private closed = false;

  private constructor(
    private readonly socket: dgram.Socket,
    private readonly remote: { address: string; port: number },
    opts: UdpBackendOptions,
  ) {
    this.id = opts.id;
    // Reading cannot be paused on a Node UDP socket: frames wait in the feeder's bounded queue.
    this.feeder = new RxFeeder(this.stats, { pause: () => {}, resume: () => {}, maxPending: opts.maxPending });
    socket.on('message', (msg) => this.onMessage(msg));
    socket.on('error', (e) => opts.log?.(`netdev ${this.id}: ${e.message}`));
  }

  /** Binds the local address; rejects with QEMU's wording when it cannot. */
  static async open(opts: UdpBackendOptions): Promise<UdpBackend> {
    const local = await resolve(opts.local.host || '0.0.0.0');
    const remote = await resolve(opts.remote.host || '127.0.0.1');
    const socket = dgram.createSocket({ type: local.family === 6 ? 'udp6' : 'udp4', reuseAddr: false });
    await new Promise<void>((ok, fail) => {
      socket.once('error', (e: NodeJS.ErrnoException) => {
        socket.close();
        fail(new Error(`netdev ${opts.id}: can't bind ip=${opts.local.host} to socket: ${e.code === 'EADDRINUSE' ? 'Address already in use' : e.code === 'EADDRNOTAVAIL' ? 'Cannot assign requested address' : e.message}`));
      });
      socket.bind(opts.local.port, local.address, () => ok());
    });
    socket.removeAllListeners('error');
    return new UdpBackend(socket, { address: remote.address, port: opts.remote.port }, opts);
  }

  /** The bound local address (useful with port 0). */
  address(): { address: string; port: number } {
    return this.socket.address();
  }

  attach(port: NetPort): void {
    this.feeder.attach(port);
  }

  get pendingCount(): number {
    return this.feeder.pendingCount;
  }

  private onMessage(msg: Buffer): void {
    if (this.eof || this.closed) return;
    if (msg.length === 0) {
      this.eof = true;
      return;
    }
    // Node emits one event per datagram; the datagrams of one loop iteration are handed to the
    // device as one batch (one Wasm call, not one per frame). msg is a fresh Buffer: no copy.
    this.batch.push(msg);
    if (this.batch.length === 1) setImmediate(this.flushBatch);
  }

  private readonly batch: Buffer[] = [];
  /** Batches handed over (frames per batch = rxFrames / batches, for benchmarks). */
  batches = 0;
  private readonly flushBatch = (): void => {
    if (this.closed || this.batch.length === 0) return;
    const frames = this.batch.splice(0);
    this.batches++;
    this.feeder.push(frames, false);
  };

  transmit(frame: Uint8Array): void {
    if (this.eof || this.closed || frame.length > UDP_MAX_PAYLOAD || frame.length === 0 ||
        this.socket.getSendQueueCount() >= MAX_SEND_QUEUE) {
      this.stats.txDropped++;
      return;
    }
    this.stats.txFrames++;
    this.stats.txBytes += frame.length;
    // Copy: the frame may be a view of a reused ring, and the send completes later.
    this.socket.send(Buffer.from(frame), this.remote.port, this.remote.address);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.feeder.clear();
    await new Promise<void>((ok) => this.socket.close(() => ok()));
  }
}
