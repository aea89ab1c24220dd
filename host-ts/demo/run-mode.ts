// One demo run: boots the veth guest (guests/veth) with one spapr-vlan in the given RX mode and an
// in-process backend whose queue is bounded like a TAP's txqueuelen, replays the traffic phases
// in guest virtual time, and reads the device's counters and per-size telemetry around each phase.
// Idle time is warped and virtual time is the instruction count, so a run is deterministic: the
// same options give the same numbers (only the wall-clock fields vary).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPseries, type PseriesMachine } from '../machine/pseries.js';
import { InProcessBackend } from '../net/in-process-backend.js';
import type { SpaprVlan } from '../devices/spapr-vlan.js';
import { STREAM_END, streamFrame } from './frames.js';
import type { Phase } from './traffic.js';

export const VETH_IMAGE = fileURLToPath(new URL('../../guests/prebuilt/veth-be.elf', import.meta.url));

export interface RunModeOptions {
  /** use-rx-buffer-pools. */
  pools: boolean;
  /** Frames the backend holds for the guest at most (a TAP's txqueuelen); beyond: lost, counted. */
  queue: number;
  /** The guest posts 8 buffers per hypercall (H_ADD_LOGICAL_LAN_BUFFERS) instead of one. */
  multiAdd: boolean;
  /** Device rx-nofit-timeout (us of guest time); 0 = QEMU: a frame no buffer fits waits forever. */
  nofitTimeoutUs: number;
  /** Quiet time after a phase drained, before the next one (ns of guest time). */
  settleNs: number;
  /**
   * Receive counts as stalled when, after the phase's last arrival, frames still wait and none has
   * reached the guest for this long (ns of guest time); the phase is then cut off.
   */
  stallNs: number;
  /** Guest image (default guests/prebuilt/veth-be.elf). */
  image?: Uint8Array;
  onProgress?: (p: Progress) => void;
}

export interface Progress {
  mode: string;
  phase: string;
  offered: number;
  frames: number;
  received: number;
  vclockNs: number;
}

export interface SizeCount {
  /** Buffer size in bytes. */
  size: number;
  /** Frames received into buffers of this size. */
  hits: number;
  /** Bytes of those buffers left unused (buffer - 8 - frame). */
  wasted: number;
  /** Pools mode: frames that took this size because a smaller fitting pool was empty. */
  fallbacks: number;
}

export interface PhaseResult {
  name: string;
  title: string;
  offered: number;
  offeredBytes: number;
  /** Frames the device wrote into guest buffers (device rxFrames). */
  received: number;
  receivedBytes: number;
  /** Lost because the backend queue was full (like a TAP's txqueuelen overflowing). */
  lostQueueFull: number;
  /** Dropped by the device after waiting rx-nofit-timeout for a buffer big enough. */
  lostNoFit: number;
  /** Other device drops (pending bound, DMA failure, device closed). */
  lostOther: number;
  /** Still waiting (backend queue or device) when the phase was cut off. */
  stuck: number;
  /** The guest-visible dropped-frame counter (buffer list + 4088, ibmveth rx_no_buffer): delivery retries. */
  droppedCounter: number;
  /** Guest time from the first arrival to the last frame written into a guest buffer (ns). */
  guestNs: number;
  wallMs: number;
  /** Receive stalled (frames waiting, none delivered for stallNs): the phase was cut off. */
  stalled: boolean;
  hits: SizeCount[];
  /** Buffers the device held at the end of the phase (or when it was cut off), by size. */
  held: { size: number; count: number }[];
}

export interface AcceptedBuffers {
  size: number;
  /** Buffers the guest's pool has. */
  count: number;
  /** Buffers the device accepted at open (H_ADD returned H_SUCCESS). */
  accepted: number;
}

export interface ModeResult {
  mode: 'legacy' | 'pools';
  pools: boolean;
  /** Device rx_bufs right after the guest's first replenish. */
  acceptedTotal: number;
  accepted: AcceptedBuffers[];
  phases: PhaseResult[];
  /** The guest's own result line, parsed (rx, frag, stream, gaps, dropped, pool0.., addfail, ...). */
  guest: Record<string, number | string>;
  console: string;
  insns: number;
  vclockNs: number;
  wallMs: number;
}

export class DemoError extends Error {}

/** Slices end at the next arrival; at least this many instructions (host overhead), at most the max. */
const MIN_SLICE = 500;
const MAX_SLICE = 20_000;
const BOOT_LIMIT = 100_000_000;
const END_LIMIT = 300_000_000;

interface Snapshot {
  rxFrames: number; rxBytes: number; oversize: number; other: number; queueFull: number; dropped: number;
  sizes: Map<number, { hits: number; wasted: number; fallbacks: number }>;
}

function snapshot(dev: SpaprVlan, be: InProcessBackend): Snapshot {
  const c = dev.counters();
  const sizes = new Map(dev.sizeStats().map((s) => [s.size, { hits: Number(s.hits), wasted: Number(s.wasted), fallbacks: Number(s.fallbacks) }]));
  return {
    rxFrames: Number(c.rxFrames), rxBytes: Number(c.rxBytes), oversize: Number(c.rxOversizeDropped),
    other: Number(c.rxPendingOverflow + c.rxDmaDropped + c.rxClosedDropped),
    queueFull: be.stats.rxDropped, dropped: Number(dev.guestDroppedCounter() ?? 0n), sizes,
  };
}

const BD_VALID = 1n << 63n;                 // spec 3.1
const BL_FIRST_SLOT = 16;                    // spec 4.4: legacy slots at 16, 24, ..., 4080
const BL_LAST_SLOT = 4080;
const POOL_UNUSED = 0x7fffffff;              // spec 4.5: bufsize of a pool not in use

/** Buffers the device holds, by size: the pools (spec 4.5), or the legacy slots (spec 4.4). */
export function heldBuffers(dev: SpaprVlan): { size: number; count: number }[] {
  const by = new Map<number, number>();
  if (dev.options.useRxBufferPools) {
    for (const p of dev.pools()) if (p.bufSize !== POOL_UNUSED && p.count > 0) by.set(p.bufSize, (by.get(p.bufSize) ?? 0) + p.count);
  } else {
    const list = dev.state.getBig('bufList');
    for (let off = BL_FIRST_SLOT; off <= BL_LAST_SLOT; off += 8) {
      const ra = dev.translate(list + BigInt(off));
      if (ra === undefined) continue;
      const d = dev.machine.readBe64(ra);
      if ((d & BD_VALID) === 0n) continue;
      const size = Number((d >> 32n) & 0xffffffn);
      by.set(size, (by.get(size) ?? 0) + 1);
    }
  }
  return [...by].map(([size, count]) => ({ size, count })).sort((a, b) => a.size - b.size);
}

/** key=value words of the guest's `veth: mode=...` line. */
export function parseVethResult(out: string): Record<string, number | string> {
  const line = out.split('\n').find((l) => l.startsWith('veth: mode='));
  if (!line) throw new DemoError(`the guest printed no result line; console:\n${out}`);
  const r: Record<string, number | string> = {};
  for (const w of line.slice(6).trim().split(/\s+/)) {
    const [k, v] = w.split('=');
    r[k] = /^\d+$/.test(v) ? Number(v) : v;
  }
  return r;
}

/** `posted 512:0/256 2048:253/512 65536:256/256` of the guest's start-up line. */
function parsePosted(out: string): AcceptedBuffers[] {
  const m = /posted((?: \d+:\d+\/\d+)+)/.exec(out);
  if (!m) throw new DemoError(`the guest did not report its posted buffers; console:\n${out}`);
  return m[1].trim().split(' ').map((w) => {
    const [size, rest] = w.split(':');
    const [accepted, count] = rest.split('/');
    return { size: Number(size), count: Number(count), accepted: Number(accepted) };
  });
}

export function runMode(phases: Phase[], o: RunModeOptions): ModeResult {
  const mode = o.pools ? 'pools' : 'legacy';
  const wall0 = performance.now();
  let out = '';
  const dec = new TextDecoder('latin1');
  const p: PseriesMachine = createPseries({
    kernel: o.image ?? new Uint8Array(readFileSync(VETH_IMAGE)),
    append: `multi=${o.multiAdd ? 1 : 0}`,
    console: (b: Uint8Array) => { out += dec.decode(b); },
    // rx-pending-max 1: the device holds one frame, the rest wait in the backend (tap-like).
    vlans: [{ useRxBufferPools: o.pools, rxPendingMax: 1, rxNofitTimeoutUs: o.nofitTimeoutUs }],
    idle: 'warp',
  });
  const runner = p.runner;
  if (!runner) throw new DemoError('this core build has no CPU');
  const dev = p.vlans[0];
  const be = new InProcessBackend({ id: 'demo', maxPending: o.queue });
  dev.attachBackend(be);
  const now = (): number => Number(p.machine.vclockNs);
  const halted = (): boolean => p.stopped !== undefined;

  // Boot until the guest has opened the device and posted its buffers.
  const bootStart = now();
  while (!out.includes('veth: ready')) {
    if (halted() || now() - bootStart > BOOT_LIMIT) throw new DemoError(`the guest did not get ready; console:\n${out}`);
    runner.runSync(MAX_SLICE);
  }
  const accepted = parsePosted(out);
  const acceptedTotal = dev.rxBufs;

  const results: PhaseResult[] = [];
  let seq = 0;
  for (const ph of phases) {
    const s0 = snapshot(dev, be);
    const w0 = performance.now();
    const t0 = now();
    let next = 0;
    let offeredBytes = 0;
    let lastRx = t0;
    let lastRxCount = s0.rxFrames;
    let drainedAt = -1;
    let stalled = false;
    let slices = 0;
    for (;;) {
      const t = now() - t0;
      const batch: Uint8Array[] = [];
      while (next < ph.sizes.length && ph.arrivalNs[next] <= t) {
        const f = ph.frame(next, seq);
        if (ph.streamFrames > 0) seq++;
        offeredBytes += f.length;
        batch.push(f);
        next++;
      }
      if (batch.length) be.send(...batch);
      const rx = Number(dev.state.getBig('rxFrames'));
      if (rx !== lastRxCount) { lastRxCount = rx; lastRx = now(); }
      const idle = next === ph.sizes.length && be.pendingCount === 0 && dev.pendingCount === 0;
      if (idle && drainedAt < 0) drainedAt = now();
      if (!idle) drainedAt = -1;
      if (drainedAt >= 0 && now() - drainedAt >= o.settleNs) break;
      if (next === ph.sizes.length && !idle && now() - Math.max(lastRx, t0 + ph.arrivalNs[ph.sizes.length - 1]) > o.stallNs) {
        stalled = true;
        break;
      }
      if (halted()) throw new DemoError(`the guest stopped during phase ${ph.name}; console:\n${out}`);
      const until = next < ph.sizes.length ? ph.arrivalNs[next] - t : MAX_SLICE;
      runner.runSync(Math.max(MIN_SLICE, Math.min(MAX_SLICE, Math.ceil(until))));
      if (o.onProgress && ++slices % 64 === 0) {
        o.onProgress({ mode, phase: ph.name, offered: next, frames: ph.sizes.length, received: lastRxCount - s0.rxFrames, vclockNs: now() });
      }
    }
    const s1 = snapshot(dev, be);
    const hits: SizeCount[] = [];
    for (const [size, v] of s1.sizes) {
      const b = s0.sizes.get(size) ?? { hits: 0, wasted: 0, fallbacks: 0 };
      hits.push({ size, hits: v.hits - b.hits, wasted: v.wasted - b.wasted, fallbacks: v.fallbacks - b.fallbacks });
    }
    hits.sort((a, b) => a.size - b.size);
    const received = s1.rxFrames - s0.rxFrames;
    const lostQueueFull = s1.queueFull - s0.queueFull;
    const lostNoFit = s1.oversize - s0.oversize;
    const lostOther = s1.other - s0.other;
    results.push({
      name: ph.name, title: ph.title, offered: ph.sizes.length, offeredBytes,
      received, receivedBytes: s1.rxBytes - s0.rxBytes,
      lostQueueFull, lostNoFit, lostOther,
      stuck: ph.sizes.length - received - lostQueueFull - lostNoFit - lostOther,
      droppedCounter: s1.dropped - s0.dropped,
      guestNs: lastRx - t0, wallMs: performance.now() - w0, stalled, hits, held: heldBuffers(dev),
    });
    if (stalled) break; // receive is stuck: later phases would only queue behind it
  }

  // End of stream: the guest prints its result line and powers off. When receive is stalled the
  // end marker cannot get through: 'q' on the console (the guest looks every 100 ms).
  const stalled = results.some((r) => r.stalled);
  if (stalled) p.input('q');
  else be.send(streamFrame(64, STREAM_END));
  const endStart = now();
  while (!halted()) {
    if (now() - endStart > END_LIMIT) throw new DemoError(`the guest did not stop; console:\n${out}`);
    runner.runSync(MAX_SLICE);
  }
  return {
    mode, pools: o.pools, acceptedTotal, accepted, phases: results, guest: parseVethResult(out), console: out,
    insns: Number(p.insnCount()), vclockNs: now(), wallMs: performance.now() - wall0,
  };
}
