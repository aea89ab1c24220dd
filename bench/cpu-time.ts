// CPU-time helpers shared by the CPU benchmarks. The build machine is shared by several jobs, so
// wall time mostly measures run-queue waits (a QEMU vCPU thread was seen waiting 1.2 s of 1.5 s):
// both emulators are timed in CPU seconds (user + sys of every thread), repeated, min/median kept.
import { spawnSync } from 'node:child_process';

/** CPU seconds (user + sys, all threads) of a child process run to completion, or null if it failed. */
export function childCpuSeconds(cmd: string, args: string[]): { cpuS: number; out: string } | null {
  const quoted = [cmd, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  // bash `times` prints the shell's then its children's "user sys" CPU times; the last line is the child's.
  const r = spawnSync('bash', ['-c', `${quoted} 2>/dev/null; rc=$?; echo; echo "@@times"; times; exit $rc`], { encoding: 'latin1', timeout: 600_000 });
  if (r.error || r.status !== 0) return null;
  const at = r.stdout.lastIndexOf('\n@@times\n');
  const lines = r.stdout.slice(at + 9).trim().split('\n');
  const secs = (s: string): number => { const [m, sec] = s.split('m'); return Number(m) * 60 + Number.parseFloat(sec); };
  const [u, s] = lines[lines.length - 1].trim().split(/\s+/);
  return { cpuS: secs(u) + secs(s), out: r.stdout.slice(0, Math.max(0, at)) };
}

/** CPU seconds of this process spent in fn. */
export function selfCpuSeconds<T>(fn: () => T): { cpuS: number; value: T } {
  const t0 = process.cpuUsage();
  const value = fn();
  const dt = process.cpuUsage(t0);
  return { cpuS: (dt.user + dt.system) / 1e6, value };
}

export interface Spread { min: number; median: number; n: number }

export function spread(xs: number[]): Spread {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { min: s[0], median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, n: s.length };
}

/** Guest instructions per second from repeated CPU times of the same work: best (min time) and median. */
export function rates(insns: number, secs: number[]): { best: number; median: number; n: number } {
  const t = spread(secs);
  return { best: insns / t.min, median: insns / t.median, n: t.n };
}

export function fmtRates(r: { best: number; median: number; n: number }): string {
  return `${(r.median / 1e6).toFixed(0)} M insns/s median, ${(r.best / 1e6).toFixed(0)} best (${r.n} runs)`;
}
