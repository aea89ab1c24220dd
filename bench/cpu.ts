// CPU interpreter speed: guest instructions per second on an integer workload (bench/cpu-workload:
// xorshift fill, shell sort, bitwise CRC-32, divides), run bare-metal on pseries-wasm (LE image,
// and the BE -bios image), and the identical BE -bios image under qemu-system-ppc64 -M pseries
// (TCG) when installed; QEMU is timed by the iteration-difference method (N and 0 iterations) so
// start-up cancels out, instruction counts come from our CPU (same binary). All times are CPU
// time, not wall time (the build machine is shared). qemu-ppc64le (user mode) on the LE build is
// printed for reference. Repeated; median and best reported (see cpu-time.ts for why CPU time).
import { readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../host-ts/machine/machine.js';
import { Runner } from '../host-ts/machine/runner.js';
import { EXIT } from '../host-ts/layout/papr.js';
import { childCpuSeconds, rates, fmtRates } from './cpu-time.js';

const here = join(dirname(fileURLToPath(import.meta.url)), 'cpu-workload');
const HALT_HCALL = 0xf100;

/** The workload's checksum computed in TS (what work.c computes), to check the emulated result. */
export function referenceChecksum(iters: number): bigint {
  const N = 512;
  const a = new Uint32Array(N);
  let sum = 0n;
  let x = 2463534242;
  for (let it = 0; it < iters; it++) {
    for (let i = 0; i < N; i++) {
      x = (x ^ (x << 13)) >>> 0; x = (x ^ (x >>> 17)) >>> 0; x = (x ^ (x << 5)) >>> 0;
      a[i] = x;
    }
    for (let gap = N / 2; gap > 0; gap = Math.floor(gap / 2)) {
      for (let i = gap; i < N; i++) {
        const t = a[i];
        let j = i;
        for (; j >= gap && a[j - gap] > t; j -= gap) a[j] = a[j - gap];
        a[j] = t;
      }
    }
    let crc = 0xffffffff;
    for (let i = 0; i < N; i++) {
      let v = a[i];
      for (let b = 0; b < 32; b++) {
        const m = -((crc ^ v) & 1) >>> 0;
        crc = ((crc >>> 1) ^ (0xedb88320 & m)) >>> 0;
        v >>>= 1;
      }
    }
    sum += BigInt((~crc) >>> 0);
    sum += BigInt(a[N / 2]) / BigInt((it & 0xff) + 3) + BigInt(a[7] % 1000003);
  }
  return BigInt.asUintN(64, sum);
}

/** Runs `iters` iterations on pseries-wasm; returns instructions, CPU seconds and the checksum. */
export function runOurs(iters: number): { insns: bigint; cpuS: number; checksum: bigint } {
  const m = new Machine({ ramSize: 16 << 20 });
  const runner = new Runner(m, { sliceInsns: 4_000_000, idle: 'warp' });
  (m.core as unknown as { cpuReset(): void }).cpuReset();
  m.writeRam(0x100, readFileSync(join(here, 'work-le.bin')));
  m.cpu.set('msr', (1n << 63n) | (1n << 12n) | 1n); // SF, ME, LE
  m.cpu.set('nip', 0x100n);
  m.setGpr(3, iters);
  let checksum = -1n;
  m.registerHcall(HALT_HCALL, (mm) => {
    checksum = mm.gpr(4);
    mm.state.set('exitReason', EXIT.EXIT_HALT);
    return 0;
  });
  const t0 = process.cpuUsage();
  const r = runner.runSync(Number.MAX_SAFE_INTEGER);
  const dt = process.cpuUsage(t0);
  if (r.reason !== 'halt') throw new Error(`workload did not halt (${r.reason}); unimplemented: ${runner.unimplementedReport()}`);
  return { insns: r.insns, cpuS: (dt.user + dt.system) / 1e6, checksum };
}

/** The BE -bios image with its iteration count (u64 at 0x80) set. */
function biosImage(iters: number): Uint8Array {
  const img = new Uint8Array(readFileSync(join(here, 'work-bios-be.bin')));
  new DataView(img.buffer).setBigUint64(0x80, BigInt(iters), false);
  return img;
}

/** Runs the BE -bios image on pseries-wasm as QEMU would start it (0x100, BE, 64-bit, real mode). */
export function runOursBios(iters: number): { insns: bigint; cpuS: number; checksum: bigint } {
  const m = new Machine({ ramSize: 16 << 20 });
  const runner = new Runner(m, { sliceInsns: 4_000_000, idle: 'warp' });
  (m.core as unknown as { cpuReset(): void }).cpuReset();
  m.writeRam(0, biosImage(iters));
  m.registerHcall(0xf000, (mm) => { mm.state.set('exitReason', EXIT.EXIT_HALT); return 0; }); // H_RTAS power-off
  const t0 = process.cpuUsage();
  const r = runner.runSync(Number.MAX_SAFE_INTEGER);
  const dt = process.cpuUsage(t0);
  if (r.reason !== 'halt') throw new Error(`bios workload did not halt (${r.reason}); unimplemented: ${runner.unimplementedReport()}`);
  return { insns: r.insns, cpuS: (dt.user + dt.system) / 1e6, checksum: m.readBe64(0x88) };
}

function qemuUserSeconds(iters: number): number | null {
  return childCpuSeconds('qemu-ppc64le', ['-cpu', 'power9', join(here, 'work-user-le'), String(iters)])?.cpuS ?? null;
}

function qemuSystemSeconds(iters: number): number | null {
  const file = join(tmpdir(), `pseries-wasm-cpu-bench-${process.pid}-${iters}.bin`);
  writeFileSync(file, biosImage(iters));
  try {
    return childCpuSeconds('timeout', ['300', 'qemu-system-ppc64', '-M', 'pseries', '-accel', 'tcg', '-m', '256', '-nographic', '-nodefaults', '-vga', 'none', '-bios', file])?.cpuS ?? null;
  } finally {
    rmSync(file, { force: true });
  }
}

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

export default async function main(): Promise<void> {
  const small = runOurs(10);
  if (small.checksum !== referenceChecksum(10)) throw new Error(`checksum ${small.checksum} != reference ${referenceChecksum(10)}`);
  const iters = Number(process.env.CPU_BENCH_ITERS ?? 300);
  runOurs(30); // warm-up: V8 tiers the Wasm up
  const ours = runOurs(iters);
  if (ours.checksum !== referenceChecksum(iters)) throw new Error('checksum mismatch on the measured run');
  const perIter = Number(ours.insns - small.insns) / (iters - 10);
  const ips = Number(ours.insns) / ours.cpuS;
  console.log(`pseries-wasm, LE image (one run, no QEMU counterpart): ${(ips / 1e6).toFixed(1)} M guest insns/s (${ours.insns} insns in ${ours.cpuS.toFixed(2)} s CPU, ${perIter.toFixed(0)} insns/iteration)`);
  // The comparison: the same BE -bios image on both, CPU time of N - 10 (ours) / QN - 0 (QEMU)
  // iterations; QEMU's instruction count is ours per iteration (same binary) times QN.
  const bios10 = runOursBios(10);
  const biosSecs: number[] = [];
  let bios = runOursBios(iters);
  for (let i = 0; i < REPEATS; i++) {
    if (i > 0) bios = runOursBios(iters);
    biosSecs.push(bios.cpuS - bios10.cpuS);
  }
  if (bios.checksum !== referenceChecksum(iters)) throw new Error('BE -bios checksum mismatch');
  const biosPerIter = Number(bios.insns - bios10.insns) / (iters - 10);
  console.log('method: CPU time of (N iterations) - (few/0 iterations), same BE -bios image on both');
  const br = rates(Number(bios.insns - bios10.insns), biosSecs);
  console.log(`pseries-wasm, BE -bios image: ${fmtRates(br)}`);
  const QN = Number(process.env.CPU_BENCH_QEMU_ITERS ?? 4000);
  const qSecs: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    const s0 = qemuSystemSeconds(0), s1 = qemuSystemSeconds(QN);
    if (s0 === null || s1 === null) break;
    qSecs.push(s1 - s0);
  }
  if (qSecs.length > 0) {
    const qr = rates(biosPerIter * QN, qSecs);
    console.log(`QEMU 7.2 TCG (qemu-system-ppc64 -M pseries, same -bios image): ${fmtRates(qr)}`);
    console.log(`ratio pseries-wasm / QEMU TCG (cpu-workload): ${(br.median / qr.median).toFixed(3)}x median, ${(br.best / qr.best).toFixed(3)}x best (goal >= 0.3x)`);
  } else console.log('qemu-system-ppc64 not found: no system TCG comparison');
  const u0 = qemuUserSeconds(200), u1 = qemuUserSeconds(200 + QN);
  if (u0 !== null && u1 !== null) {
    const uips = (perIter * QN) / (u1 - u0);
    console.log(`(for reference, LE build under qemu-ppc64le user mode: ${(uips / 1e6).toFixed(0)} M guest insns/s, one run)`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
