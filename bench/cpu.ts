// CPU interpreter speed: guest instructions per second on an integer workload (bench/cpu-workload:
// xorshift fill, shell sort, bitwise CRC-32, divides), run bare-metal on pseries-wasm; and, when
// qemu-ppc64le is installed, the same compiled function under QEMU TCG (user mode), timed by the
// iteration-difference method so process start-up cancels out. Both are CPU time, not wall time
// (the build machine is shared). User-mode TCG has no softmmu cost, so the ratio is conservative
// against qemu-system-ppc64 TCG (bench/guest.ts measures that one on the workload guest).
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Machine } from '../host-ts/machine/machine.js';
import { CpuRunner } from '../host-ts/cpu/cpu-runner.js';
import { EXIT } from '../host-ts/layout/papr.js';

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
  const runner = new CpuRunner(m, { sliceInsns: 4_000_000, idle: 'warp' });
  runner.reset();
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

/** CPU seconds of `qemu-ppc64le work-user-le iters`, or null without QEMU. */
function qemuCpuSeconds(iters: number): number | null {
  const r = spawnSync('bash', ['-c', `qemu-ppc64le -cpu power9 "${join(here, 'work-user-le')}" ${iters} >/dev/null && times`], { encoding: 'utf8' });
  if (r.status !== 0) return null;
  // `times` prints shell then children "XmY.YYYs XmZ.ZZZs" lines; the second is qemu's user and sys.
  const lines = r.stdout.trim().split('\n');
  const secs = (s: string): number => { const [mm, ss] = s.split('m'); return Number(mm) * 60 + Number.parseFloat(ss); };
  const [u, s] = lines[lines.length - 1].trim().split(/\s+/);
  return secs(u) + secs(s);
}

export default async function main(): Promise<void> {
  const small = runOurs(10);
  if (small.checksum !== referenceChecksum(10)) throw new Error(`checksum ${small.checksum} != reference ${referenceChecksum(10)}`);
  const iters = Number(process.env.CPU_BENCH_ITERS ?? 300);
  runOurs(30); // warm-up: V8 tiers the Wasm up
  const ours = runOurs(iters);
  if (ours.checksum !== referenceChecksum(iters)) throw new Error('checksum mismatch on the measured run');
  const perIter = Number(ours.insns - small.insns) / (iters - 10);
  const ips = Number(ours.insns) / ours.cpuS;
  console.log(`pseries-wasm interpreter: ${(ips / 1e6).toFixed(1)} M guest insns/s (${ours.insns} insns in ${ours.cpuS.toFixed(2)} s CPU, ${perIter.toFixed(0)} insns/iteration)`);
  const q1 = qemuCpuSeconds(200), q2 = qemuCpuSeconds(4200);
  if (q1 === null || q2 === null) {
    console.log('qemu-ppc64le not found: no TCG comparison');
    return;
  }
  const qips = (perIter * 4000) / (q2 - q1);
  console.log(`QEMU 7.2 TCG (qemu-ppc64le user mode, same code): ${(qips / 1e6).toFixed(1)} M guest insns/s`);
  console.log(`ratio pseries-wasm / QEMU TCG: ${(ips / qips).toFixed(2)}x (goal >= 0.3x)`);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
