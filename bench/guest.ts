// Guest instructions per second on the integer workload guest (guests/workload.c), booted the same
// way on both: our interpreter and, when installed, qemu-system-ppc64 TCG (`-M pseries,x-vof=on
// -kernel`), in the same run.
//
// Method (one for both emulators): the iteration count sits after the marker "WKLD"; we patch it
// to N and to 0. The guest is deterministic, so it executes the same instructions on both: our CPU
// counts them exactly, work = insns(N) - insns(0). Each emulator's time for that work is
// cpu(N) - cpu(0) in CPU seconds (user + sys, all threads), which removes start-up (QEMU process,
// firmware, our module set-up) and the run-queue waits of a shared machine that wall time would
// include. Repeated; median and best reported. Both must print the same checksums.
// The workload's data sits on its own pages: stores to a code page send QEMU through its
// self-modifying-code path (~15x slower), which an earlier layout measured by accident.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { createPseries } from '../host-ts/machine/pseries.js';
import { childCpuSeconds, selfCpuSeconds, rates, fmtRates } from './cpu-time.js';
import { patchIterations } from '../examples/workload-image.js';

const ITERATIONS = Number(process.env.GUEST_BENCH_ITERATIONS ?? 1000);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const IMAGE = fileURLToPath(new URL('../guests/prebuilt/workload-le.elf', import.meta.url));


interface Run { cpuS: number; insns: bigint; out: string }

function ours(image: Uint8Array): Run {
  let out = '';
  const p = createPseries({ kernel: image, sliceInsns: 4_000_000, console: (b) => { out += Buffer.from(b).toString('latin1'); } });
  const { cpuS, value: r } = selfCpuSeconds(() => p.runner.runSync(Number.MAX_SAFE_INTEGER));
  if (r.reason !== 'power-off') throw new Error(`workload did not power off (${r.reason})`);
  return { cpuS, insns: r.insns, out };
}

function qemu(image: Uint8Array): Run | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'pseries-bench-'));
  try {
    const file = join(dir, 'workload.elf');
    writeFileSync(file, image);
    const r = childCpuSeconds('qemu-system-ppc64', ['-M', 'pseries,x-vof=on', '-nodefaults', '-nographic', '-serial', 'stdio', '-kernel', file]);
    return r ? { cpuS: r.cpuS, insns: 0n, out: r.out.trim() } : undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** cpu(N) - cpu(0) per repeat. */
function diffs(run: (img: Uint8Array) => Run | undefined, empty: Uint8Array, full: Uint8Array): { secs: number[]; last: Run; zero: Run } | undefined {
  const secs: number[] = [];
  let last: Run | undefined, zero: Run | undefined;
  for (let i = 0; i < REPEATS; i++) {
    zero = run(empty);
    last = zero && run(full);
    if (!zero || !last) return undefined;
    secs.push(last.cpuS - zero.cpuS);
  }
  return { secs, last: last!, zero: zero! };
}

export default async function main(): Promise<void> {
  const base = new Uint8Array(readFileSync(IMAGE));
  const full = patchIterations(base, ITERATIONS);
  const empty = patchIterations(base, 0);
  ours(patchIterations(base, 5)); // warm-up: compile tiers
  const o = diffs(ours, empty, full)!;
  const insns = Number(o.last.insns - o.zero.insns);
  console.log(`workload-le.elf -kernel, ${ITERATIONS} iterations = ${insns} guest instructions (counted by our CPU)`);
  console.log('method: CPU time of (N iterations) - (0 iterations), same image and boot on both');
  const or = rates(insns, o.secs);
  console.log(`pseries-wasm interpreter: ${fmtRates(or)}`);
  const q = diffs(qemu, empty, full);
  if (!q) {
    console.log('qemu-system-ppc64 not available: no TCG comparison');
    return;
  }
  if (q.last.out !== o.last.out.trim()) throw new Error(`QEMU printed different checksums:\n${q.last.out}\nvs ours:\n${o.last.out}`);
  const qr = rates(insns, q.secs);
  console.log(`QEMU 7.2 TCG:             ${fmtRates(qr)}`);
  console.log(`ratio pseries-wasm / QEMU TCG (workload guest): ${(or.median / qr.median).toFixed(3)}x median, ${(or.best / qr.best).toFixed(3)}x best (goal >= 0.3x)`);
}
