// -netdev in-process: frames in and out through the embedding API, no sockets, no root.
// send() feeds frames to the guest (false = the device is not taking them now: wait for
// 'drain'); guest transmissions come out as 'frame' events or through frames().
import { EventEmitter } from 'node:events';
import { frameEvents } from './frame-events.js';
import { newStats, type NetBackend, type NetPort } from './net-port.js';
import { RxFeeder } from './rx-feeder.js';

export interface InProcessBackendOptions {
  id: string;
  /** Frames held for the guest at most; send() beyond drops and counts them (default 65536). */
  maxPending?: number;
}

/** Events: 'frame' (Uint8Array, a frame the guest sent), 'drain' (all held frames taken). */
export class InProcessBackend extends EventEmitter implements NetBackend {
  readonly id: string;
  readonly stats = newStats();
  private readonly feeder: RxFeeder;
  private closed = false;

  constructor(opts: InProcessBackendOptions) {
    super();
    this.id = opts.id;
    this.feeder = new RxFeeder(this.stats, {
      pause: () => {},
      resume: () => {},
      drained: () => this.emit('drain'),
      maxPending: opts.maxPending ?? 65536,
    });
  }

  attach(port: NetPort): void {
    this.feeder.attach(port);
  }

  /** Frames waiting for the guest. */
  get pendingCount(): number {
    return this.feeder.pendingCount;
  }

  /**
   * Offers frames to the guest, in order. The caller must not change them afterwards (they may
   * be held). Returns true when all were taken now, false when some wait for the device.
   */
  send(...frames: Uint8Array[]): boolean {
    if (this.closed) throw new Error(`netdev ${this.id} is closed`);
    this.feeder.push(frames, false);
    return this.feeder.pendingCount === 0;
  }

  transmit(frame: Uint8Array): void {
    if (this.closed) {
      this.stats.txDropped++;
      return;
    }
    this.stats.txFrames++;
    this.stats.txBytes += frame.length;
    // A copy: the device's staging ring is reused (and Buffer#slice would not copy).
    this.emit('frame', new Uint8Array(frame));
  }

  /** Guest transmissions as an async iterator (ends when the backend closes). */
  async *frames(): AsyncGenerator<Uint8Array> {
    yield* frameEvents(this);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.feeder.clear();
    this.emit('close');
  }
}
