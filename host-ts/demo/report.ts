// The demo's output: both RX modes side by side (buffers accepted, then per traffic phase: frames
// offered / received / lost and where, rates, buffer hits per size, bytes wasted by the fit), and
// a short conclusion whose every claim is computed from those numbers.
import type { ModeResult, PhaseResult } from './run-mode.js';

export interface DemoResult {
  legacy: ModeResult;
  pools: ModeResult;
  /** What was run, for the header. */
  settings: { linkBps: number; queue: number; frames: number; nofitTimeoutUs: number; multiAdd: boolean };
}

const kib = (n: number): string => (n >= 1024 && n % 1024 === 0 ? `${n / 1024} KiB` : `${n} B`);

/** 1234 -> "1,234"; 1234567 -> "1.23M" style for rates. */
function rate(x: number): string {
  if (!Number.isFinite(x)) return '-';
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e4) return `${(x / 1e3).toFixed(0)}k`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}

function mb(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : bytes >= 1e3 ? `${(bytes / 1e3).toFixed(1)} kB` : `${bytes} B`;
}

const int = (n: number): string => n.toLocaleString('en-US');
const pct = (a: number, b: number): string => (b === 0 ? '0%' : `${((100 * a) / b).toFixed(a === 0 || a === b ? 0 : 1)}%`);

function table(rows: [string, string, string][], head: [string, string, string]): string[] {
  const all = [head, ...rows];
  const w0 = Math.max(...all.map((r) => r[0].length));
  const w1 = Math.max(...all.map((r) => r[1].length));
  const w2 = Math.max(...all.map((r) => r[2].length));
  return all.map(([a, b, c]) => `  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c.padStart(w2)}`);
}

/** Sizes that appear in either mode's hits, ascending. */
function hitSizes(a: PhaseResult, b: PhaseResult): number[] {
  return [...new Set([...a.hits, ...b.hits].map((h) => h.size))].sort((x, y) => x - y);
}

function phaseRows(l: PhaseResult, p: PhaseResult): [string, string, string][] {
  const both = (f: (r: PhaseResult) => string, label: string): [string, string, string] => [label, f(l), f(p)];
  const rows: [string, string, string][] = [
    both((r) => int(r.offered), 'frames offered'),
    both((r) => `${int(r.received)} (${pct(r.received, r.offered)})`, 'received by the guest'),
    both((r) => int(r.lostQueueFull), 'lost: backend queue full'),
    both((r) => int(r.lostNoFit), 'lost: no posted buffer fits'),
  ];
  if (l.lostOther || p.lostOther) rows.push(both((r) => int(r.lostOther), 'lost: other device drops'));
  if (l.stuck || p.stuck) rows.push(both((r) => int(r.stuck), 'still waiting when cut off'));
  rows.push(
    both((r) => int(r.droppedCounter), "guest's dropped counter (+)"),
    both((r) => (r.stalled ? 'STALLED' : r.guestNs ? `${rate(r.received / (r.guestNs / 1e9))}/s` : '-'), 'frames/s, guest time'),
    both((r) => (r.stalled ? '-' : r.guestNs ? `${(r.receivedBytes / (r.guestNs / 1e3)).toFixed(0)}` : '-'), 'MB/s, guest time'),
    both((r) => `${rate(r.received / (r.wallMs / 1e3))}/s`, 'frames/s, wall clock'),
  );
  for (const size of hitSizes(l, p)) {
    const h = (r: PhaseResult): string => {
      const e = r.hits.find((x) => x.size === size);
      return e ? int(e.hits) : '0';
    };
    rows.push(both(h, `frames in ${kib(size)} buffers`));
  }
  rows.push(both((r) => mb(r.hits.reduce((s, h) => s + h.wasted, 0)), 'buffer bytes wasted by fit'));
  const heldSizes = [...new Set([...l.held, ...p.held].map((h) => h.size))].sort((x, y) => x - y);
  const held = (r: PhaseResult): string => heldSizes.map((sz) => int(r.held.find((h) => h.size === sz)?.count ?? 0)).join(' / ');
  rows.push(both(held, `buffers held at the end, ${heldSizes.map(kib).join(' / ')}`));
  return rows;
}

const sum = (r: ModeResult, f: (p: PhaseResult) => number): number => r.phases.reduce((s, p) => s + f(p), 0);

/** Two or three plain sentences, each from the measured numbers. */
export function conclusion(d: DemoResult): string[] {
  const { legacy: l, pools: p } = d;
  const out: string[] = [];
  const want = l.accepted.reduce((s, a) => s + a.count, 0);
  const starved = l.accepted.filter((a) => a.accepted === 0);
  let s1 = `The guest offered the device ${int(want)} receive buffers in ${l.accepted.length} sizes; with use-rx-buffer-pools=off all sizes share one list of 509 slots, so the device took ${int(l.acceptedTotal)}`;
  if (starved.length) s1 += ` and none of the ${starved.map((a) => kib(a.size)).join(', ')} ones`;
  s1 += `, while with pools (one list per size) it took ${int(p.acceptedTotal)}.`;
  out.push(s1);

  // Waste compared on the frames of up to 1514 bytes (the jumbo phase wastes the same in both
  // modes when it gets through: a 9014-byte frame needs a 64 KiB buffer either way).
  const mtuPhases = (r: ModeResult): PhaseResult[] => r.phases.filter((x) => x.name !== 'jumbo');
  const waste = (r: ModeResult): number => mtuPhases(r).reduce((s, x) => s + x.hits.reduce((t, h) => t + h.wasted, 0), 0);
  const wl = waste(l);
  const wp = waste(p);
  const big = Math.max(...l.accepted.map((a) => a.size));
  const small = l.phases.find((x) => x.name === 'small');
  const smallInBig = small?.hits.find((h) => h.size === big)?.hits ?? 0;
  if (wl > wp) {
    let s2 = `Without pools a frame takes the next free buffer whatever its size`;
    if (small && smallInBig > 0) s2 += ` (${int(smallInBig)} of the 64-byte frames went into ${kib(big)} buffers)`;
    s2 += `, so frames of up to 1514 bytes left ${mb(wl)} of buffer space unused against ${mb(wp)} with pools, where each frame gets the smallest buffer that fits.`;
    out.push(s2);
  }

  const offered = sum(l, (x) => x.offered);
  const lostL = offered - sum(l, (x) => x.received);
  const lostP = sum(p, (x) => x.offered) - sum(p, (x) => x.received);
  const stall = l.phases.find((x) => x.stalled);
  let s3 = `In all, the guest lost ${int(lostL)} of ${int(offered)} frames without pools (${pct(lostL, offered)}) and ${int(lostP)} with pools (${pct(lostP, offered)})`;
  if (stall && !p.phases.some((x) => x.stalled)) {
    const held = stall.held.filter((h) => h.count > 0).map((h) => `${int(h.count)} x ${kib(h.size)}`).join(' + ');
    const noBig = !stall.held.some((h) => h.size === big && h.count > 0);
    s3 += `: in the ${stall.name} phase receive stalled after ${int(stall.received)} of ${int(stall.offered)} frames`;
    if (noBig) s3 += `, because smaller buffers had taken the shared list's slots (${held}) and no ${kib(big)} buffer was left for a jumbo frame`;
    s3 += d.settings.nofitTimeoutUs === 0
      ? '; with rx-nofit-timeout=0, as on QEMU, receive never resumes'
      : ` (QEMU waits for a fitting buffer forever; here each such frame is dropped after ${d.settings.nofitTimeoutUs / 1000} ms)`;
  }
  out.push(`${s3}.`);
  return out;
}

export function formatReport(d: DemoResult): string {
  const { legacy: l, pools: p, settings: s } = d;
  const lines: string[] = [];
  const mix = l.accepted.map((a) => `${kib(a.size)} x ${a.count}`).join(', ');
  lines.push('pseries-wasm: the same traffic into the veth guest twice, use-rx-buffer-pools=off (legacy) and =on (pools)');
  lines.push(`guest buffer pools as Linux ibmveth: ${mix}; ${s.multiAdd ? 'up to 8 buffers per hypercall (H_ADD_LOGICAL_LAN_BUFFERS)' : 'one buffer per H_ADD_LOGICAL_LAN_BUFFER'}`);
  lines.push(`arrivals at ${s.linkBps / 1e9} Gbit/s in guest virtual time; backend queue ${int(s.queue)} frames (like a TAP's txqueuelen); rx-nofit-timeout ${s.nofitTimeoutUs} us`);
  lines.push('');
  lines.push('Buffers the device accepted');
  lines.push(...table([
    ...l.accepted.map((a, i): [string, string, string] => [`${kib(a.size)} pool (${a.count})`, int(a.accepted), int(p.accepted[i]?.accepted ?? 0)]),
    ['total', int(l.acceptedTotal), int(p.acceptedTotal)],
  ], ['', 'legacy', 'pools']));
  for (let i = 0; i < l.phases.length || i < p.phases.length; i++) {
    const a = l.phases[i];
    const b = p.phases[i];
    lines.push('');
    if (!a || !b) {
      lines.push(`Phase ${(a ?? b).name}: run in one mode only (the other stopped earlier)`);
      continue;
    }
    lines.push(`Phase ${i + 1}, ${a.title}`);
    lines.push(...table(phaseRows(a, b), ['', 'legacy', 'pools']));
  }
  lines.push('');
  lines.push('Whole run');
  const tot = (r: ModeResult, f: (x: PhaseResult) => number): string => int(sum(r, f));
  lines.push(...table([
    ['frames offered', tot(l, (x) => x.offered), tot(p, (x) => x.offered)],
    ['received by the guest', tot(l, (x) => x.received), tot(p, (x) => x.received)],
    ['lost', tot(l, (x) => x.offered - x.received), tot(p, (x) => x.offered - x.received)],
    ["guest's own count: rx / frag / gaps", `${l.guest.rx} / ${l.guest.frag} / ${l.guest.gaps}`, `${p.guest.rx} / ${p.guest.frag} / ${p.guest.gaps}`],
    ['guest buffer adds refused (addfail)', int(Number(l.guest.addfail)), int(Number(p.guest.addfail))],
    ['guest time', `${(l.vclockNs / 1e6).toFixed(1)} ms`, `${(p.vclockNs / 1e6).toFixed(1)} ms`],
    ['wall clock', `${(l.wallMs / 1e3).toFixed(1)} s`, `${(p.wallMs / 1e3).toFixed(1)} s`],
  ], ['', 'legacy', 'pools']));
  lines.push('(+) counter at buffer list + 4088 (ibmveth rx_no_buffer): delivery attempts that found no buffer');
  lines.push('');
  lines.push(...conclusion(d));
  return lines.join('\n');
}
