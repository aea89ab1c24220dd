// Many machines per process: the same total work (K workload guests) run one after another,
// all at once on one event loop (createVm: slices interleave), and one per worker thread
// (createVmWorker). Prints wall times and aggregate instructions/s side by side; workers should
// approach min(K, cores) x the single-thread rate.
import { benchmark } from '../examples/benchmark.js';
import { cpus } from 'node:os';

const K = Number(process.env.VM_BENCH_MACHINES ?? 4);
const ITER = Number(process.env.VM_BENCH_ITERATIONS ?? 40);

export default async function run(): Promise<void> {
  await benchmark('inprocess', 1, 2); // warm-up: compile the core, tier up
  let seqMs = 0;
  let seqInsns = 0n;
  for (let i = 0; i < K; i++) {
    const r = await benchmark('inprocess', 1, ITER);
    seqMs += r.wallMs;
    seqInsns += BigInt(r.totalInsns);
  }
  const together = await benchmark('inprocess', K, ITER);
  const workers = await benchmark('worker', K, ITER);
  const rate = (insns: bigint, ms: number) => Number(insns) / (ms / 1000) / 1e6;
  const seqRate = rate(seqInsns, seqMs);
  console.log(`${K} workload guests x ${ITER} iterations (${cpus().length} CPUs)`);
  console.log(`  one after another : ${seqMs} ms  ${seqRate.toFixed(1)} M insns/s`);
  console.log(`  one event loop    : ${together.wallMs} ms  ${rate(BigInt(together.totalInsns), together.wallMs).toFixed(1)} M insns/s  (x${(rate(BigInt(together.totalInsns), together.wallMs) / seqRate).toFixed(2)})`);
  console.log(`  worker threads    : ${workers.wallMs} ms  ${rate(BigInt(workers.totalInsns), workers.wallMs).toFixed(1)} M insns/s  (x${(rate(BigInt(workers.totalInsns), workers.wallMs) / seqRate).toFixed(2)}; each worker compiles and tiers up the core itself)`);
}
