// Guest instructions per second on the integer workload guest (guests/workload.c), on our
// interpreter and, when qemu-system-ppc64 is installed, on QEMU TCG in the same run.
//
// Method: the workload's iteration count sits after the marker "WKLD" in the image; we patch it
// to N and to 0. The guest is deterministic and takes no interrupts, so it executes the same
// instructions on both emulators: our CPU counts them exactly (cpu.insnCount). The work of N
// iterations is insns(N) - insns(0); each emulator's time for it is wall(N) - wall(0), which
// removes start-up (QEMU process, firmware, our module instantiation). Both runs must print the
// same checksums. QEMU: `-M pseries,x-vof=on -nodefaults -nographic -serial stdio -kernel`
// (VOF, the lightest firmware), TCG, one process per run.
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createPseries } from '../host-ts/machine/pseries.js';

const ITERATIONS = Number(process.env.GUEST_BENCH_ITERATIONS ?? 200);
const IMAGE = fileURLToPath(new URL('../guests/prebuilt/workload-le.elf', import.meta.url));

/** The image with its iteration count set (marker "WKLD" in either byte order). */
export function patchIterations(image: Uint8Array, n: number): Uint8Array {
  const out = image.slice();
  const dv = new DataView(out.buffer);
  for (let i = 0; i + 8 <= out.length; i += 4) {
    for (const le of [true, false]) {
      if (dv.getUint32(i, le) === 0x574b4c44) {
        dv.setUint32(i + 4, n, le);
        return out;
      }
    }
  }
  throw new Error('workload image has no WKLD marker');
}

interface Run { ms: number; insns: bigint; out: string }

function ours(image: Uint8Array): Run {
  let out = '';
  const p = createPseries({ kernel: image, console: (b) => { out += Buffer.from(b).toString('latin1'); } });
  const t0 = performance.now();
  const r = p.run({ slice: 4_000_000 });
  const ms = performance.now() - t0;
  if (r.reason !== 'power-off') throw new Error(`workload did not power off (${r.reason})`);
  return { ms, insns: r.insns, out };
}

function qemu(image: Uint8Array): Run | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'pseries-bench-'));
  try {
    const file = join(dir, 'workload.elf');
    writeFileSync(file, image);
    const t0 = performance.now();
    const r = spawnSync('qemu-system-ppc64', ['-M', 'pseries,x-vof=on', '-nodefaults', '-nographic', '-serial', 'stdio', '-kernel', file],
      { encoding: 'latin1', timeout: 600_000 });
    const ms = performance.now() - t0;
    if (r.error || r.status !== 0) return undefined;
    return { ms, insns: 0n, out: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function main(): Promise<void> {
  const base = new Uint8Array(readFileSync(IMAGE));
  const full = patchIterations(base, ITERATIONS);
  const empty = patchIterations(base, 0);
  ours(patchIterations(base, 5)); // warm-up: compile tiers
  const o0 = ours(empty);
  const oN = ours(full);
  const insns = oN.insns - o0.insns;
  const oursRate = Number(insns) / ((oN.ms - o0.ms) / 1000);
  console.log(`workload-le.elf, ${ITERATIONS} iterations = ${insns} guest instructions (counted by our CPU)`);
  console.log(`pseries-wasm interpreter: ${(oN.ms - o0.ms).toFixed(0)} ms -> ${(oursRate / 1e6).toFixed(1)} M guest insns/s`);
  const q0 = qemu(empty);
  const qN = q0 && qemu(full);
  if (!q0 || !qN) {
    console.log('qemu-system-ppc64 not available: no TCG comparison');
    return;
  }
  if (qN.out !== oN.out) throw new Error(`QEMU printed different checksums:\n${qN.out}\nvs ours:\n${oN.out}`);
  const qemuRate = Number(insns) / ((qN.ms - q0.ms) / 1000);
  console.log(`QEMU 7.2 TCG:             ${(qN.ms - q0.ms).toFixed(0)} ms -> ${(qemuRate / 1e6).toFixed(1)} M guest insns/s (start-up ${q0.ms.toFixed(0)} ms subtracted)`);
  console.log(`ratio pseries-wasm / QEMU TCG: ${(oursRate / qemuRate).toFixed(3)}x (goal >= 0.3x)`);
}
