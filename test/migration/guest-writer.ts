// A stand-in for a running guest: while "running" it keeps writing guest RAM through the host
// write path that marks pages dirty, one burst per event-loop turn, like a vCPU between slices.
import type { Machine } from '../../host-ts/machine/machine.js';
import type { Migratable } from '../../host-ts/migration/index.js';
import { rng } from './helpers.js';

export class GuestWriter implements Migratable {
  private timer: NodeJS.Immediate | undefined;
  private readonly r: () => number;
  /** Bursts written so far. */
  bursts = 0;
  /** Fraction of turns skipped (auto-converge throttle); the last values asked for. */
  throttled = 0;
  readonly throttleCalls: number[] = [];
  private credit = 0;

  constructor(private readonly m: Machine, seed: number, private readonly pagesPerBurst = 16, private readonly hotPages = m.ramSize / 4096) {
    this.r = rng(seed);
  }

  get isRunning(): boolean { return this.timer !== undefined; }

  resume(): void {
    if (this.timer) return;
    const tick = (): void => {
      this.credit += 1 - this.throttled;
      if (this.credit < 1) {
        this.timer = setImmediate(tick);
        return;
      }
      this.credit -= 1;
      for (let k = 0; k < this.pagesPerBurst; k++) {
        const page = Math.floor(this.r() * this.hotPages);
        const v = new Uint8Array(8);
        for (let i = 0; i < 8; i++) v[i] = (this.r() * 256) | 0;
        this.m.writeRam(page * 4096 + Math.floor(this.r() * 512) * 8, v);
      }
      this.bursts++;
      this.timer = setImmediate(tick);
    };
    this.timer = setImmediate(tick);
  }

  throttle(fraction: number): void {
    this.throttled = fraction;
    this.throttleCalls.push(fraction);
  }

  pause(): void {
    if (this.timer) clearImmediate(this.timer);
    this.timer = undefined;
  }
}
