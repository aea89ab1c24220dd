// -netdev tap,ifname=NAME: a Linux TAP device through the native addon. The fd is polled only
// while the device can receive (QEMU's can_receive rule, STYLE "read a TAP only while the
// guest has buffers"); each wakeup drains up to one batch into a staging buffer, which may be
// a view of the Wasm memory so that the device copies straight from it.
import { newStats, type NetBackend, type NetPort } from './net-port.js';
import { RxFeeder } from './rx-feeder.js';
import { loadTapAddon, type TapHandle } from './tap-addon.js';

/** Read calls at most per wakeup: bounds the time spent reading before the CPU runs again. */
const MAX_READS_PER_WAKEUP = 8;

export interface TapBackendOptions {
  id: string;
  /** Interface name; empty or undefined lets the kernel choose (tapN). */
  ifname?: string;
  /** Where frames are read to (default: 1 MiB of its own). At least MAX_FRAME bytes. */
  staging?: Uint8Array;
  /** Frames read at most per wakeup (default 64). */
  batch?: number;
  log?: (msg: string) => void;
}

export class TapBackend implements NetBackend {
  readonly id: string;
  readonly stats = newStats();
  private readonly feeder: RxFeeder;
  private readonly staging: Uint8Array;
  private readonly lens: Uint32Array;
  private polling = false;
  private attached = false;
  private closed = false;
  /** Wakeups that read at least one frame (frames per batch = rxFrames / batches). */
  batches = 0;
  private readonly logFn: ((msg: string) => void) | undefined;

  private constructor(private readonly tap: TapHandle, opts: TapBackendOptions, maxFrame: number) {
    this.id = opts.id;
    this.logFn = opts.log;
    this.staging = opts.staging ?? new Uint8Array(2 ** 20);
    if (this.staging.length < maxFrame) throw new RangeError(`tap staging buffer needs at least ${maxFrame} bytes`);
    this.lens = new Uint32Array(opts.batch ?? 64);
    this.feeder = new RxFeeder(this.stats, { pause: () => this.stopPolling(), resume: () => this.startPolling() });
  }

  /** Opens (creates) the TAP interface; throws the addon's error (code ENOENT/EPERM/EBUSY...). */
  static open(opts: TapBackendOptions): TapBackend {
    const addon = loadTapAddon();
    const tap = new addon.Tap(opts.ifname ?? '');
    return new TapBackend(tap, opts, addon.MAX_FRAME);
  }

  /** The interface name the kernel gave. */
  get ifname(): string {
    return this.tap.name;
  }

  get pendingCount(): number {
    return this.feeder.pendingCount;
  }

  /** True while the fd is watched (false = backpressure). */
  get isPolling(): boolean {
    return this.polling;
  }

  attach(port: NetPort): void {
    this.feeder.attach(port);
    this.attached = true;
    if (!this.feeder.isPaused) this.startPolling();
  }

  private startPolling(): void {
    if (this.polling || this.closed || !this.attached) return;
    this.polling = true;
    this.tap.start((err) => this.onReadable(err));
  }

  private stopPolling(): void {
    if (!this.polling) return;
    this.polling = false;
    this.tap.stop();
  }

  private onReadable(err?: string): void {
    if (err !== undefined) {
      this.stopPolling();
      return this.logFn?.(`netdev ${this.id}: poll error: ${err}`);
    }
    // Several batches per wakeup: the CPU runs in slices, so frames pile up between wakeups.
    for (let i = 0; i < MAX_READS_PER_WAKEUP; i++) {
      if (!this.feeder.ready()) return; // paused: polling stopped until onCanReceive
      let n: number;
      try {
        // Read no more than the device can place: the rest stays in the kernel queue.
        const room = this.feeder.room();
        n = this.tap.readBatch(this.staging, room < this.lens.length ? this.lens.subarray(0, room) : this.lens);
      } catch (e) {
        // e.g. the interface was deleted under us: stop reading rather than crash the machine.
        this.stopPolling();
        this.logFn?.(`netdev ${this.id}: ${(e as Error).message}; no longer reading`);
        return;
      }
      if (n === 0) return;
      this.batches++;
      const frames: Uint8Array[] = new Array(n);
      let off = 0;
      for (let k = 0; k < n; k++) {
        frames[k] = this.staging.subarray(off, off + this.lens[k]);
        off += this.lens[k];
      }
      // Views of the reused staging buffer: the feeder copies what the device does not take.
      this.feeder.push(frames, true);
    }
  }

  transmit(frame: Uint8Array): void {
    let sent = false;
    try {
      sent = !this.closed && this.tap.write(frame);
    } catch (e) {
      this.logFn?.(`netdev ${this.id}: ${(e as Error).message}`);
    }
    if (!sent) {
      // Kernel queue full (EAGAIN) or interface down (EIO): lost, like on a busy wire.
      this.stats.txDropped++;
      return;
    }
    this.stats.txFrames++;
    this.stats.txBytes += frame.length;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.stopPolling();
    this.feeder.clear();
    this.tap.close();
  }
}
