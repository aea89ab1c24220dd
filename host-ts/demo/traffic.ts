// The demo's traffic, shaped like the seed experiment (a 64 KiB ping flood, a bulk transfer, small
// frames, jumbo frames), as phases of frames with arrival times in guest virtual time. Frames of a
// burst arrive back to back at the link rate; bursts start every `periodNs` (or right after the
// previous one when it takes longer). The same schedule is replayed for both RX modes.
import { pingFragments, streamFrame, withSeq } from './frames.js';

/** Preamble 8 + FCS 4 + inter-frame gap 12 bytes on the wire around each Ethernet frame. */
const WIRE_OVERHEAD = 24;

export interface Phase {
  /** Short key (`ping`, `bulk`, `small`, `jumbo`). */
  name: string;
  /** What the traffic is, for the table. */
  title: string;
  /** Frame sizes in bytes, in order of arrival (length = frames in the phase). */
  sizes: number[];
  /** Arrival of each frame in ns after the phase starts (non-decreasing). */
  arrivalNs: Float64Array;
  /** Test-stream frames in the phase (each takes a sequence number); the rest are ping fragments. */
  streamFrames: number;
  /** Builds frame i; `seq` is the next stream sequence number (stream frames only). */
  frame(i: number, seq: number): Uint8Array;
}

export interface TrafficOptions {
  /** Frames per phase (the ping phase rounds up to whole pings of 45 fragments). */
  frames: number;
  /** Link rate inside a burst, bits/s of guest time. */
  linkBps: number;
  /** Small-frame phase: frames per burst, and the time between burst starts (ns). */
  smallBurst: number;
  smallPeriodNs: number;
  /** Ping phase: time between the starts of two 64 KiB pings (ns). */
  pingPeriodNs: number;
}

export const DEFAULT_TRAFFIC: TrafficOptions = {
  frames: 6000,
  linkBps: 10e9,
  smallBurst: 2700,
  smallPeriodNs: 2_000_000,
  pingPeriodNs: 100_000,
};

/** Arrival times: bursts of `burst` frames at line rate, one burst every `periodNs`. */
function schedule(sizes: number[], linkBps: number, burst: number, periodNs: number): Float64Array {
  const t = new Float64Array(sizes.length);
  let now = 0;
  let burstStart = 0;
  for (let i = 0; i < sizes.length; i++) {
    if (i > 0 && i % burst === 0) {
      burstStart = Math.max(now, burstStart + periodNs);
      now = burstStart;
    }
    t[i] = now;
    now += ((sizes[i] + WIRE_OVERHEAD) * 8 * 1e9) / linkBps;
  }
  return t;
}

/** ping -s 65507 at MTU 1500: 45 IPv4 fragments per echo request (44 x 1514 + 1 x 429 bytes). */
export const PING_PAYLOAD = 65507;
export const PING_MTU = 1500;

export function buildTraffic(o: TrafficOptions): Phase[] {
  if (!(o.frames >= 1)) throw new RangeError('frames per phase must be >= 1');
  const ping = pingFragments(PING_PAYLOAD, PING_MTU, 0);
  const pings = Math.ceil(o.frames / ping.length);
  const pingSizes = Array.from({ length: pings * ping.length }, (_, i) => ping[i % ping.length].length);
  const stream = (name: string, title: string, sizes: number[], burst: number, periodNs: number): Phase => {
    const templates = new Map(sizes.map((s) => [s, streamFrame(s, 0)]));
    return {
      name, title, sizes, streamFrames: sizes.length,
      arrivalNs: schedule(sizes, o.linkBps, burst, periodNs),
      frame: (i, seq) => withSeq(templates.get(sizes[i])!, seq),
    };
  };
  const n = o.frames;
  let last = { id: 0, frames: ping };
  return [
    {
      name: 'ping', title: `ping -s ${PING_PAYLOAD} (MTU ${PING_MTU}): ${pings} pings x ${ping.length} IPv4 fragments`,
      sizes: pingSizes, streamFrames: 0,
      arrivalNs: schedule(pingSizes, o.linkBps, ping.length, o.pingPeriodNs),
      // Each ping has its own IPv4 id; the frames are built fresh (the backend may hold them).
      frame: (i) => {
        const id = Math.floor(i / ping.length) + 1;
        if (id !== last.id) last = { id, frames: pingFragments(PING_PAYLOAD, PING_MTU, id) };
        return last.frames[i % ping.length];
      },
    },
    stream('bulk', `bulk transfer: ${n} x 1514 B back to back`, Array(n).fill(1514), n, 0),
    stream('small', `small frames: ${n} x 64 B in bursts of ${Math.min(o.smallBurst, n)}`, Array(n).fill(64), o.smallBurst, o.smallPeriodNs),
    stream('jumbo', `jumbo (64 KiB MTU): ${n} x 9014 B / 65000 B alternating`,
      Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 9014 : 65000)), n, 0),
  ];
}
