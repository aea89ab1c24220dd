// Benchmark: K machines at once, in this thread (one event loop, slices interleaved) or one per
// worker thread, each running the workload guest for N iterations. Prints per-machine results and
// the aggregate instructions per second; the last line is JSON (for scripts and tests).
//
//   npx tsx examples/benchmark.ts --machines 4 --iterations 20 --mode worker
import { parseArgs } from 'node:util';
import { createVm, createVmWorker, type MachineConfigInput } from '../host-ts/index.js';
import { workloadImage } from './workload-image.js';

export interface BenchResult {
  mode: 'inprocess' | 'worker';
  machines: number;
  iterations: number;
  wallMs: number;
  totalInsns: string;
  insnsPerSec: number;
  results: string[];
}

export async function benchmark(mode: 'inprocess' | 'worker', machines: number, iterations: number): Promise<BenchResult> {
  const config: MachineConfigInput = {
    ramSize: 256 << 20, nodefaults: true, kernel: 'w.elf',
    chardevs: [{ backend: 'stdio', id: 'con', signal: false }], vtys: [{ chardev: 'con' }],
  };
  const files = { 'w.elf': workloadImage(iterations) };
  const vms = await Promise.all(Array.from({ length: machines }, () =>
    mode === 'worker' ? createVmWorker(config, { files }) : createVm(config, { files })));
  const outs = vms.map((vm) => {
    const o = { text: '' };
    vm.console.output.on('data', (b: Buffer) => { o.text += b.toString('latin1'); });
    return o;
  });
  const t0 = performance.now();
  await Promise.all(vms.map((vm) => vm.start()));
  await Promise.all(vms.map((vm) => vm.wait()));
  const wallMs = performance.now() - t0;
  const stats = await Promise.all(vms.map((vm) => vm.stats()));
  const total = stats.reduce((a, s) => a + s.insns, 0n);
  return {
    mode, machines, iterations,
    wallMs: Math.round(wallMs),
    totalInsns: total.toString(),
    insnsPerSec: Math.round(Number(total) / (wallMs / 1000)),
    results: outs.map((o) => o.text.split('\n').find((l) => l.startsWith('workload: crc32')) ?? ''),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, '/'))) {
  const { values } = parseArgs({ options: {
    machines: { type: 'string', default: '4' },
    iterations: { type: 'string', default: '20' },
    mode: { type: 'string', default: 'inprocess' },
  } });
  const mode = values.mode === 'worker' ? 'worker' : 'inprocess';
  const r = await benchmark(mode, Number(values.machines), Number(values.iterations));
  for (const [i, line] of r.results.entries()) console.log(`machine ${i}: ${line}`);
  console.log(`${r.machines} machines (${r.mode}), ${r.iterations} iterations each: ${r.wallMs} ms, ${(r.insnsPerSec / 1e6).toFixed(1)} M insns/s in total`);
  console.log(JSON.stringify(r));
}
