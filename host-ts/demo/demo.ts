// `npm start`: the veth guest booted twice, legacy and pools, fed the same traffic (host-ts/demo/).
import { buildTraffic, DEFAULT_TRAFFIC } from './traffic.js';
import { runMode, type Progress } from './run-mode.js';
import type { DemoResult } from './report.js';

export interface DemoOptions {
  /** Frames per traffic phase. */
  frames: number;
  /** Backend queue bound (frames), like a TAP's txqueuelen. */
  queue: number;
  linkBps: number;
  /** Small-frame phase: frames per burst. */
  smallBurst: number;
  /** Device rx-nofit-timeout in us (0 = QEMU). */
  nofitTimeoutUs: number;
  multiAdd: boolean;
  onProgress?: (p: Progress) => void;
}

export const DEFAULT_DEMO: DemoOptions = {
  frames: DEFAULT_TRAFFIC.frames,
  queue: 1000,
  linkBps: DEFAULT_TRAFFIC.linkBps,
  smallBurst: DEFAULT_TRAFFIC.smallBurst,
  nofitTimeoutUs: 10_000,
  multiAdd: false,
};

/** Quiet time between phases, and how long receive may make no progress before it counts as stalled. */
const SETTLE_NS = 1_000_000;
const STALL_NS = 50_000_000;

export function runDemo(o: DemoOptions): DemoResult {
  const phases = buildTraffic({ ...DEFAULT_TRAFFIC, frames: o.frames, linkBps: o.linkBps, smallBurst: o.smallBurst });
  const run = (pools: boolean) => runMode(phases, {
    pools, queue: o.queue, multiAdd: o.multiAdd, nofitTimeoutUs: o.nofitTimeoutUs,
    settleNs: SETTLE_NS, stallNs: Math.max(STALL_NS, 5 * o.nofitTimeoutUs * 1000), onProgress: o.onProgress,
  });
  const legacy = run(false);
  const pools = run(true);
  return {
    legacy, pools,
    settings: { linkBps: o.linkBps, queue: o.queue, frames: o.frames, nofitTimeoutUs: o.nofitTimeoutUs, multiAdd: o.multiAdd },
  };
}
