// Frames per second received by the veth guest (guests/veth, mode=sink) through the UDP socket
// backend (`-netdev socket,udp=..,localaddr=..`) at the highest rate our sender offers, for 64,
// 1514 and 65000-byte frames in both RX modes; when qemu-system-ppc64 is installed, the same image,
// command line and sender on QEMU 7.2 TCG in the same run, then ours/QEMU side by side.
// Issue 4's goal: >= 2x QEMU frames/s in pools mode.
//
// Method: boot, wait for `veth: ready`, send COUNT stream frames as fast as the socket takes them
// (test/tools/frame-sender.ts, rate 0), then keep sending end markers every 20 ms until the guest
// prints its result line (markers sent right behind a burst are often lost with it). frames/s =
// stream frames the guest counted / host time from the first send to the result line. The guest's
// own `fps` is not used: on pseries-wasm guest time is virtual (1 ns per instruction). Frames the
// emulator does not read in time are lost in the host's UDP receive buffer (gaps), as on QEMU.
// One sender process (this one) and one emulator process run at a time on the host's cores; each
// configuration runs NET_BENCH_REPS times (default 2), the best run is kept.
// Results: printed table, bench/results/net-guest.json and net-guest.svg.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { runVeth, type Emulator } from '../test/e2e/veth-cli.js';
import { sendStream, streamFrame, STREAM_END } from '../test/tools/frame-sender.js';
import { hasQemu, parseVethResult } from '../test/tools/veth-qemu.js';

const RESULTS = fileURLToPath(new URL('./results', import.meta.url));
/** Frames per run; sized so a run takes ~1-2 s at the sender's top rate on a 2-core host. */
const SIZES = [
  { size: 64, count: Number(process.env.NET_BENCH_COUNT_64 ?? 200_000) },
  { size: 1514, count: Number(process.env.NET_BENCH_COUNT_1514 ?? 200_000) },
  { size: 65000, count: Number(process.env.NET_BENCH_COUNT_65000 ?? 60_000) },
];
/** Runs per configuration; the best is kept (the host is shared: a run can lose its core). */
const REPS = Number(process.env.NET_BENCH_REPS ?? 2);
/** A run without a result line by then is recorded as failed (0 frames/s) and the emulator killed. */
const RUN_TIMEOUT_MS = 30_000;
const QUIT_MS = 10_000;
const MODES = [{ mode: 'pools', pools: 'on' }, { mode: 'legacy', pools: 'off' }] as const;
/** QEMU 7.2 TCG figures from issue 4 (2 cores), printed when QEMU is not installed. */
const QEMU_ISSUE_FPS: Record<number, number> = { 64: 138_000, 1514: 124_000, 65000: 31_000 };

export interface NetGuestRun {
  emulator: Emulator; mode: 'pools' | 'legacy'; size: number;
  offered: number; offeredFps: number; received: number; gaps: number; seconds: number; fps: number;
  dropped: number; pool0: number; pool1: number; pool2: number;
  /** The guest's `us`: first to last stream frame in guest time (pseries-wasm: 1 ns per instruction). */
  guestUs: number;
  /** The guest had stopped receiving and was asked to quit (its frames/s include the stall). */
  quit?: boolean;
  /** Set when the run produced no result (e.g. the guest stopped receiving and was killed). */
  error?: string;
}

export async function measure(emulator: Emulator, mode: 'pools' | 'legacy', size: number, count: number): Promise<NetGuestRun> {
  const pools = mode === 'pools' ? 'on' : 'off';
  const g = await runVeth({ emulator, pools, append: `count=${count}`, timeoutMs: RUN_TIMEOUT_MS });
  const sock = g.sock!;
  const stalled = (why: string): NetGuestRun => ({
    emulator, mode, size, offered: count, offeredFps: 0, received: 0, gaps: 0, seconds: 0, fps: 0,
    dropped: 0, pool0: 0, pool1: 0, pool2: 0, guestUs: 0, error: why.split('\n')[0],
  });
  try {
    await Promise.race([g.ready, g.exit]);
    const t0 = process.hrtime.bigint();
    const sent = await sendStream(sock, { count, size, rate: 0, end: 3 });
    const end = streamFrame(size, STREAM_END);
    const poke = setInterval(() => sock.send(end), 20);
    // A device stuck on a frame no buffer fits (QEMU legacy mode, papr-vlan.md Q3) never sees the
    // end markers: after QUIT_MS a `q` on the console makes the guest print what it got (the run
    // is then marked `quit`); with no result line at all the emulator is killed at the timeout.
    let quit = false;
    const quitTimer = setTimeout(() => { quit = true; g.type('q'); }, QUIT_MS);
    const t1 = await Promise.race([g.resultAt, g.exit.then(() => process.hrtime.bigint())])
      .finally(() => { clearInterval(poke); clearTimeout(quitTimer); });
    const out = await g.exit;
    const r = parseVethResult(out);
    const seconds = Number(t1 - t0) / 1e9;
    const n = (k: string): number => r[k] as number;
    return {
      emulator, mode, size, offered: count, offeredFps: Math.round(sent.fps), received: n('stream'), gaps: n('gaps'),
      seconds, fps: Math.round(n('stream') / seconds), dropped: n('dropped'), pool0: n('pool0'), pool1: n('pool1'), pool2: n('pool2'),
      guestUs: n('us'), ...(quit ? { quit } : {}),
    };
  } catch (e) {
    return stalled(String(e instanceof Error ? e.message : e));
  } finally {
    sock.close();
  }
}

const fmt = (x: number): string => x.toLocaleString('en-US');

/** A grouped bar chart: one group per size, bars per mode x emulator. Hand-written, no dependency. */
export function chartSvg(runs: NetGuestRun[]): string {
  const series = [
    { emulator: 'pseries-wasm', mode: 'pools', color: '#1f77b4' }, { emulator: 'qemu', mode: 'pools', color: '#aec7e8' },
    { emulator: 'pseries-wasm', mode: 'legacy', color: '#ff7f0e' }, { emulator: 'qemu', mode: 'legacy', color: '#ffbb78' },
  ].filter((s) => runs.some((r) => r.emulator === s.emulator && r.mode === s.mode));
  const sizes = [...new Set(runs.map((r) => r.size))];
  const W = 720, H = 340, left = 70, top = 40, bottom = 50, bw = 34, gap = 40;
  const max = Math.max(1, ...runs.map((r) => r.fps));
  const scale = (H - top - bottom) / max;
  const groupW = series.length * bw + gap;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14">Frames/s received by the veth guest (UDP socket backend, max offered rate)</text>`,
    `<line x1="${left}" y1="${H - bottom}" x2="${W - 10}" y2="${H - bottom}" stroke="#333"/>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const v = (max * i) / 4, y = H - bottom - v * scale;
    parts.push(`<line x1="${left}" y1="${y}" x2="${W - 10}" y2="${y}" stroke="#ddd"/><text x="${left - 5}" y="${y + 4}" text-anchor="end">${Math.round(v / 1000)}k</text>`);
  }
  sizes.forEach((size, gi) => {
    const gx = left + 20 + gi * groupW;
    series.forEach((s, si) => {
      const r = runs.find((x) => x.size === size && x.emulator === s.emulator && x.mode === s.mode);
      if (!r) return;
      const h = r.fps * scale, x = gx + si * bw;
      parts.push(`<rect x="${x}" y="${H - bottom - h}" width="${bw - 4}" height="${h}" fill="${s.color}"><title>${s.emulator} ${s.mode} ${size} B: ${fmt(r.fps)} frames/s</title></rect>`);
      parts.push(`<text x="${x + (bw - 4) / 2}" y="${H - bottom - h - 3}" text-anchor="middle" font-size="9">${Math.round(r.fps / 1000)}k</text>`);
    });
    parts.push(`<text x="${gx + (series.length * bw) / 2}" y="${H - bottom + 16}" text-anchor="middle">${size} B</text>`);
  });
  series.forEach((s, si) => {
    const x = left + si * 150, y = H - 14;
    parts.push(`<rect x="${x}" y="${y - 9}" width="10" height="10" fill="${s.color}"/><text x="${x + 14}" y="${y}">${s.emulator} ${s.mode}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

export default async function netGuest(): Promise<void> {
  const qemu = hasQemu();
  const load0 = loadavg();
  const runs: NetGuestRun[] = [];
  for (const { mode } of MODES) {
    for (const { size, count } of SIZES) {
      for (const emu of (qemu ? ['pseries-wasm', 'qemu'] : ['pseries-wasm']) as Emulator[]) {
        let r = await measure(emu, mode, size, count);
        for (let i = 1; i < REPS; i++) {
          const again = await measure(emu, mode, size, count);
          if (again.fps > r.fps) r = again;
        }
        runs.push(r);
        console.log(`  ${emu.padEnd(12)} ${mode.padEnd(6)} ${String(size).padStart(5)} B: ` + (r.error ? `FAILED: ${r.error}` :
          `offered ${fmt(r.offeredFps)}/s, received ${fmt(r.received)}/${fmt(r.offered)} in ${r.seconds.toFixed(2)} s = ${fmt(r.fps)} frames/s` +
          (r.quit ? ' (receive stalled; guest stopped with q)' : '')));
      }
    }
  }
  const rows = MODES.flatMap(({ mode }) => SIZES.map(({ size }) => {
    const ours = runs.find((r) => r.emulator === 'pseries-wasm' && r.mode === mode && r.size === size)!;
    const q = runs.find((r) => r.emulator === 'qemu' && r.mode === mode && r.size === size);
    return { mode, size, ours: ours.fps, qemu: q?.fps, ratio: q && q.fps > 0 ? ours.fps / q.fps : undefined };
  }));
  console.log(`\n  mode    size     pseries-wasm fps   QEMU 7.2 fps   ours/QEMU`);
  for (const r of rows) {
    const q = r.qemu !== undefined ? fmt(r.qemu) : `(${fmt(QEMU_ISSUE_FPS[r.size]!)} issue)`;
    const ratio = r.ratio !== undefined ? `${r.ratio.toFixed(2)}x` : r.qemu === 0 ? 'n/a' : `${(r.ours / QEMU_ISSUE_FPS[r.size]!).toFixed(2)}x*`;
    console.log(`  ${r.mode.padEnd(6)} ${String(r.size).padStart(6)} ${fmt(r.ours).padStart(18)} ${q.padStart(14)} ${ratio.padStart(11)}`);
  }
  const load1 = loadavg();
  console.log(`  goal: >= 2x QEMU in pools mode; load average ${load0[0]!.toFixed(2)} before, ${load1[0]!.toFixed(2)} after` +
    (qemu ? '' : '; * against the issue\'s QEMU figures (qemu-system-ppc64 not installed)'));
  mkdirSync(RESULTS, { recursive: true });
  writeFileSync(join(RESULTS, 'net-guest.json'), JSON.stringify({ date: new Date().toISOString(), loadavg: { before: load0, after: load1 }, runs, rows }, null, 2) + '\n');
  writeFileSync(join(RESULTS, 'net-guest.svg'), chartSvg(runs));
  console.log(`  written: bench/results/net-guest.json, bench/results/net-guest.svg`);
}

if (process.argv[1] && import.meta.url === `file://${process.argv[1]}`) await netGuest();
