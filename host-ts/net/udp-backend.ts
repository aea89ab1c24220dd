// -netdev socket,udp=REMOTE,localaddr=LOCAL and -netdev dgram (inet): one UDP datagram carries
// one Ethernet frame, no header. Datagrams from any source are accepted (QEMU does not filter
// on the remote address); frames go to the remote address.
//
// Two transports: the native addon's UDP channel when it is built (IPv4; the socket is read in
// batches, and not read at all while the device cannot receive, as QEMU does: the kernel
// buffers, then drops), else Node's dgram (one event per datagram; it cannot stop reading, so
// frames wait in a bounded queue and the excess is dropped and counted).
import dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { newStats, type NetBackend, type NetPort } from './net-port.js';
import { RxFeeder } from './rx-feeder.js';
import { loadTapAddon, tryLoadTapAddon, type TapHandle } from './tap-addon.js';
import type { HostAddr } from '../config/machine-config.js';

/** Largest UDP payload over IPv4 (65535 - 20 IP - 8 UDP). Bigger frames cannot be sent. */
export const UDP_MAX_PAYLOAD = 65507;
const DEFAULT_RECV_BUFFER = 32 * 2 ** 20;
/** Read calls at most per wakeup: bounds the time spent reading before the CPU runs again (the
 * device's room is the usual bound). */
const MAX_READS_PER_WAKEUP = 32;
/**
 * Bytes of big datagrams read per call at most: the batch is copied into the device while it is
 * still in the CPU's cache (reading 256 x 64 KiB before copying made each frame cost 3x more).
 */
const BIG_READ_BYTES = 2 ** 20;
/** Datagrams waiting in the socket's send queue before further frames are dropped. */
const MAX_SEND_QUEUE = 1024;

export interface UdpBackendOptions {
  id: string;
  local: HostAddr;
  remote: HostAddr;
  /** Frames held while the device cannot receive (dgram transport only). */
  maxPending?: number;
  /** Use the native addon: true = required, false = never, undefined = when built (IPv4). */
  native?: boolean;
  /** Frames read at most per read call (native transport, default 256). */
  batch?: number;
  /**
   * Kernel receive queue in bytes (native transport; default 32 MiB, 0 = system default). The
   * emulator reads between CPU slices rather than from a concurrent I/O thread as QEMU does,
   * so the queue must cover a slice's worth of arrivals: the kernel charges a 64 KiB datagram
   * ~2x its size, and a device with 256 64 KiB buffers takes 256 per slice. Without root
   * (SO_RCVBUFFORCE) the size is capped at net.core.rmem_max.
   */
  recvBuffer?: number;
  log?: (msg: string) => void;
}

async function resolve(host: string): Promise<{ address: string; family: 4 | 6 }> {
  const fam = isIP(host);
  if (fam === 4 || fam === 6) return { address: host, family: fam };
  const r = await lookup(host);
  return { address: r.address, family: r.family === 6 ? 6 : 4 };
}

function bindError(id: string, host: string, e: NodeJS.ErrnoException): Error {
  const why = e.code === 'EADDRINUSE' ? 'Address already in use'
    : e.code === 'EADDRNOTAVAIL' ? 'Cannot assign requested address' : e.message;
  return new Error(`netdev ${id}: can't bind ip=${host} to socket: ${why}`);
}

export class UdpBackend implements NetBackend {
  readonly id: string;
  readonly stats = newStats();
  /** True after a zero-length datagram: QEMU takes it as end of connection and stops. */
  eof = false;
  /** Batches handed to the device (frames per batch = rxFrames / batches). */
  batches = 0;
  private readonly feeder: RxFeeder;
  private closed = false;
  private attached = false;
  private polling = false;
  private readonly batch: Buffer[] = [];
  private readonly staging?: Uint8Array;
  private readonly log?: (msg: string) => void;
  private readonly lens?: Uint32Array;
  /** Staging bytes per datagram (the addon's UDP_SLOT): datagram i is read to staging[i * slot]. */
  private slot = 0;
  /** Largest datagram of the last read (bytes): sizes the next read (BIG_READ_BYTES). */
  private largest = 0;

  private constructor(
    opts: UdpBackendOptions,
    private readonly socket: dgram.Socket | undefined,
    private readonly channel: TapHandle | undefined,
    private readonly remote: { address: string; port: number },
    private readonly localAddress: string,
  ) {
    this.id = opts.id;
    this.log = opts.log;
    if (channel) {
      this.lens = new Uint32Array(opts.batch ?? 256);
      // One slot per datagram of a batch (16 MiB at 256): pages are touched only as far as the
      // datagrams reach, so small frames cost little memory.
      this.slot = loadTapAddon().UDP_SLOT;
      this.staging = new Uint8Array(this.lens.length * this.slot);
      this.feeder = new RxFeeder(this.stats, { pause: () => this.stopPolling(), resume: () => this.startPolling() });
    } else {
      this.feeder = new RxFeeder(this.stats, { pause: () => {}, resume: () => {}, maxPending: opts.maxPending });
      socket!.on('message', (msg) => this.onMessage(msg));
      socket!.on('error', (e) => opts.log?.(`netdev ${this.id}: ${e.message}`));
    }
  }

  /** Binds the local address; rejects with QEMU's wording when it cannot. */
  static async open(opts: UdpBackendOptions): Promise<UdpBackend> {
    const local = await resolve(opts.local.host || '0.0.0.0');
    const remote = await resolve(opts.remote.host || '127.0.0.1');
    const remoteAddr = { address: remote.address, port: opts.remote.port };
    const ipv4 = local.family === 4 && remote.family === 4;
    const addon = opts.native === true ? loadTapAddon() : opts.native === false || !ipv4 ? undefined : tryLoadTapAddon();
    if (addon) {
      if (!ipv4) throw new Error(`netdev ${opts.id}: the native UDP transport is IPv4 only`);
      let ch: TapHandle;
      try {
        ch = new addon.Tap({ udp: true, localHost: local.address, localPort: opts.local.port, remoteHost: remote.address,
          remotePort: opts.remote.port, recvBuffer: opts.recvBuffer ?? DEFAULT_RECV_BUFFER });
      } catch (e) {
        throw bindError(opts.id, opts.local.host, e as NodeJS.ErrnoException);
      }
      return new UdpBackend(opts, undefined, ch, remoteAddr, local.address);
    }
    const socket = dgram.createSocket({ type: local.family === 6 ? 'udp6' : 'udp4', reuseAddr: false });
    await new Promise<void>((ok, fail) => {
      socket.once('error', (e: NodeJS.ErrnoException) => {
        socket.close();
        fail(bindError(opts.id, opts.local.host, e));
      });
      socket.bind(opts.local.port, local.address, () => ok());
    });
    socket.removeAllListeners('error');
    return new UdpBackend(opts, socket, undefined, remoteAddr, local.address);
  }

  /** Which transport carries the frames. */
  get transport(): 'native' | 'dgram' {
    return this.channel ? 'native' : 'dgram';
  }

  /** The bound local address (useful with port 0). */
  address(): { address: string; port: number } {
    if (this.channel) return { address: this.localAddress, port: this.channel.localPort };
    return this.socket!.address();
  }

  attach(port: NetPort): void {
    this.feeder.attach(port);
    this.attached = true;
    if (this.channel && !this.feeder.isPaused) this.startPolling();
  }

  get pendingCount(): number {
    return this.feeder.pendingCount;
  }

  // ---- native transport

  private startPolling(): void {
    if (this.polling || this.closed || this.eof || !this.attached || !this.channel) return;
    this.polling = true;
    this.channel.start((err) => this.onReadable(err));
  }

  private stopPolling(): void {
    if (!this.polling) return;
    this.polling = false;
    this.channel!.stop();
  }

  /** Kernel receive queue size (native transport), for diagnostics. */
  get recvBuffer(): number | undefined {
    return this.channel?.recvBuffer;
  }

  /** Drains the socket while the device takes frames: several reads per wakeup, each a batch. */
  private onReadable(err?: string): void {
    for (let i = 0; i < MAX_READS_PER_WAKEUP && err === undefined; i++) {
      if (!this.feeder.ready()) return;
      let n = 0;
      let want = 0;
      try {
        // Read no more than the device can place: the rest stays in the socket buffer.
        const cap = this.largest * this.lens!.length > BIG_READ_BYTES ? Math.max(1, Math.floor(BIG_READ_BYTES / this.largest)) : this.lens!.length;
        want = Math.min(this.feeder.room(), cap);
        n = this.channel!.recvBatch(this.staging!, want < this.lens!.length ? this.lens!.subarray(0, want) : this.lens!);
      } catch (e) {
        err = (e as Error).message;
        break;
      }
      const frames: Uint8Array[] = [];
      if (n > 0) this.largest = 0;
      for (let k = 0; k < n; k++) {
        const len = this.lens![k];
        if (len > this.largest) this.largest = len;
        if (len === 0) {
          this.eof = true;
          this.stopPolling();
          break;
        }
        frames.push(this.staging!.subarray(k * this.slot, k * this.slot + len));
      }
      if (frames.length > 0) {
        this.batches++;
        this.feeder.push(frames, true);
      }
      if (this.eof || n < want) return; // socket drained (fewer than asked) or end
    }
    if (err !== undefined) {
      this.stopPolling();
      this.log?.(`netdev ${this.id}: ${err}; no longer reading`);
    }
  }

  // ---- dgram transport

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

  private readonly flushBatch = (): void => {
    if (this.closed || this.batch.length === 0) return;
    const frames = this.batch.splice(0);
    this.batches++;
    this.feeder.push(frames, false);
  };

  transmit(frame: Uint8Array): void {
    if (this.eof || this.closed || frame.length > UDP_MAX_PAYLOAD || frame.length === 0) {
      this.stats.txDropped++;
      return;
    }
    if (this.channel) {
      let sent = false;
      try {
        sent = this.channel.write(frame);
      } catch (e) {
        this.log?.(`netdev ${this.id}: ${(e as Error).message}`);
      }
      if (!sent) {
        this.stats.txDropped++;
        return;
      }
    } else {
      if (this.socket!.getSendQueueCount() >= MAX_SEND_QUEUE) {
        this.stats.txDropped++;
        return;
      }
      // Copy: the frame may be a view of a reused ring, and the send completes later.
      this.socket!.send(Buffer.from(frame), this.remote.port, this.remote.address);
    }
    this.stats.txFrames++;
    this.stats.txBytes += frame.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.feeder.clear();
    if (this.channel) {
      this.stopPolling();
      this.channel.close();
    } else {
      await new Promise<void>((ok) => this.socket!.close(() => ok()));
    }
  }
}
