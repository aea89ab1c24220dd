// Migration status, shaped like QMP query-migrate (status, transferred bytes, times, ram stats).

export type MigrationState = 'none' | 'setup' | 'active' | 'device' | 'completed' | 'failed' | 'cancelled';

export interface MigrationStatus {
  status: MigrationState;
  /** ms since the migration started (final once it ends). */
  totalTimeMs: number;
  /** ms the guest was stopped (stop-and-copy until the destination committed). */
  downtimeMs?: number;
  /** ms of setup (connect, header). */
  setupTimeMs?: number;
  /** Stream bytes sent (source) or received (destination). */
  transferredBytes: number;
  ram: {
    total: number;
    /** RAM_DATA payload bytes sent. */
    transferred: number;
    /** Pages sent as data / as zero runs (QMP normal / duplicate). */
    normal: number;
    duplicate: number;
    /** Pages dirtied per second during the last pre-copy pass. */
    dirtyPagesRate: number;
    /** Pre-copy passes after the first full one. */
    dirtySyncCount: number;
    /** Pages remaining (the last dirty set seen). */
    remaining: number;
  };
  /** Guest slowed down by auto-converge, percent (absent: never throttled). */
  cpuThrottlePercentage?: number;
  errorDesc?: string;
}

export function newStatus(ramSize: number): MigrationStatus {
  return {
    status: 'none',
    totalTimeMs: 0,
    transferredBytes: 0,
    ram: { total: ramSize, transferred: 0, normal: 0, duplicate: 0, dirtyPagesRate: 0, dirtySyncCount: 0, remaining: 0 },
  };
}

/** A machine that can be stopped and restarted (its run loop); migration pauses it for stop-and-copy. */
export interface Migratable {
  pause(): void;
  resume(): void;
  readonly isRunning: boolean;
  /**
   * Optional auto-converge: run the guest only (1 - fraction) of the time (0 = full speed). Called
   * when pre-copy does not converge, and with 0 when migration ends.
   */
  throttle?(fraction: number): void;
}

/** A run loop with an async start() that returns once stop() was called (e.g. the CPU runner). */
export interface RunLoop {
  start(): Promise<unknown>;
  stop(): void;
}

/**
 * Migratable over a run loop. pause() is effective at once for migration: the loop only runs
 * between event-loop turns, and the stop-and-copy snapshot is taken synchronously after pause().
 */
export function runLoopControl(loop: RunLoop): Migratable {
  let running: Promise<unknown> | undefined;
  return {
    get isRunning() { return running !== undefined; },
    pause() {
      if (!running) return;
      loop.stop();
      running = undefined;
    },
    resume() {
      if (running) return;
      const p = loop.start().finally(() => { if (running === p) running = undefined; });
      running = p;
    },
  };
}
