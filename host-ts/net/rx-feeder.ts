// Host -> guest delivery shared by all backends: offers frames to the port while it can
// receive, keeps the rest in order, and tells the backend to stop reading until the port
// calls onCanReceive (QEMU's can_receive / flush pairing, spec §4.2: arrivals queue behind
// pending frames, so order is kept).
import type { NetBackendStats, NetPort } from './net-port.js';

export interface RxFeederOptions {
  /** Stop reading the host side (tap: stop polling; stream: pause the socket). */
  pause: () => void;
  /** Resume reading. */
  resume: () => void;
  /**
   * Frames held at most; arrivals beyond are dropped and counted (rxDropped). Backends that
   * can stop their source (tap, stream) never reach it; UDP can only drop, like a full
   * kernel receive buffer would.
   */
  maxPending?: number;
  /** Called when the last held frame was taken (the queue went from non-empty to empty). */
  drained?: () => void;
}

export class RxFeeder {
  private port: NetPort | undefined;
  private readonly pending: Uint8Array[] = [];
  private paused = false;
  /** A port.receive() call is in progress (guards against re-entry from device callbacks). */
  private delivering = false;
  private redrain = false;
  private readonly maxPending: number;

  constructor(private readonly stats: NetBackendStats, private readonly opts: RxFeederOptions) {
    this.maxPending = opts.maxPending ?? 1024;
  }

  attach(port: NetPort): void {
    if (this.port) throw new Error('backend already attached to a device');
    this.port = port;
    port.onCanReceive(() => this.drain());
    this.drain();
  }

  /** Frames held because the device could not take them. */
  get pendingCount(): number {
    return this.pending.length;
  }

  /** True while the backend should not read from its source. */
  get isPaused(): boolean {
    return this.paused;
  }

  /**
   * Offers frames that just arrived. `transient` views (a reused read buffer) are copied
   * before they are kept. Returns how many were handed to the port now.
   */
  push(frames: Uint8Array[], transient: boolean): number {
    let taken = 0;
    // During a delivery (a device callback feeding more frames), arrivals queue behind.
    if (!this.delivering && this.pending.length === 0 && this.port && this.port.canReceive()) {
      this.delivering = true;
      try {
        taken = this.offer(this.port, frames);
      } finally {
        this.delivering = false;
      }
    }
    for (let i = taken; i < frames.length; i++) {
      if (this.pending.length >= this.maxPending) {
        this.stats.rxDropped++;
        continue;
      }
      // new Uint8Array(view) copies (Buffer#slice would not).
      this.pending.push(transient ? new Uint8Array(frames[i]) : frames[i]);
    }
    // Also when the port took fewer than offered (e.g. its pending bound) but can still receive:
    // no onCanReceive will come, as its capacity never went away.
    if (!this.delivering && (this.redrain || (this.pending.length > 0 && this.port?.canReceive()))) this.drain();
    // Full device: stop reading now rather than at the next wakeup.
    else if (this.pending.length > 0 || !this.port || !this.port.canReceive()) this.setPaused(true);
    return taken;
  }

  /** Offers held frames again (device capacity returned); resumes reading once all are taken. */
  drain(): void {
    const port = this.port;
    if (!port) return;
    // Re-entered from the port's receive (its onCanReceive fired inside a delivery): the
    // outer loop goes round again instead.
    if (this.delivering) {
      this.redrain = true;
      return;
    }
    const had = this.pending.length;
    this.delivering = true;
    try {
      do {
        this.redrain = false;
        while (this.pending.length > 0 && port.canReceive()) {
          // A snapshot: frames pushed during the call must not be seen (or spliced) twice.
          const n = this.offer(port, this.pending.slice());
          this.pending.splice(0, n);
          if (n === 0) break;
        }
      } while (this.redrain);
    } finally {
      this.delivering = false;
    }
    this.setPaused(this.pending.length > 0 || !port.canReceive());
    if (had > 0 && this.pending.length === 0) this.opts.drained?.();
  }

  /**
   * Asked by a backend before it reads: true when the device can take frames now. When it
   * cannot, the backend is paused (it resumes on the device's onCanReceive).
   */
  ready(): boolean {
    const ok = this.port !== undefined && this.pending.length === 0 && this.port.canReceive();
    if (!ok) this.setPaused(true);
    return ok;
  }

  /** Frames worth reading now: the port's receiveRoom() hint (unbounded without one). */
  room(): number {
    return this.port?.receiveRoom ? Math.max(1, this.port.receiveRoom()) : Infinity;
  }

  /** Drops everything held (backend closing). */
  clear(): void {
    this.pending.length = 0;
  }

  /** Hands frames to the port, no more than its receiveRoom() hint; returns how many it took. */
  private offer(port: NetPort, frames: Uint8Array[]): number {
    const room = port.receiveRoom ? Math.max(1, port.receiveRoom()) : Infinity;
    const n = port.receive(frames.length > room ? frames.slice(0, room) : frames);
    this.count(frames, 0, n);
    return n;
  }

  private count(frames: Uint8Array[], from: number, to: number): void {
    this.stats.rxFrames += to - from;
    for (let i = from; i < to; i++) this.stats.rxBytes += frames[i].length;
  }

  private setPaused(p: boolean): void {
    if (p === this.paused) return;
    this.paused = p;
    if (p) this.opts.pause();
    else this.opts.resume();
  }
}
