// Test harness: a small machine, code written into guest RAM in the guest's byte order, run().
import { Machine } from '../../host-ts/machine/machine.js';
import { EXIT } from '../../host-ts/layout/papr.js';

export const CODE_BASE = 0x10000;
export const DATA_BASE = 0x20000;

export interface RunCore {
  run(budget: number): number;
  cpuReset(): void;
  cpuDecDeadlineNs(): bigint;
  cpuInterruptDeliverable(): number;
}

export function core(m: Machine): RunCore {
  return m.core as unknown as RunCore;
}

const MSR_SF = 1n << 63n;
const MSR_ME = 1n << 12n;
const MSR_LE = 1n;

/** A fresh machine in 64-bit real mode with code at CODE_BASE in the chosen byte order. */
export function machineWithCode(words: number[], le: boolean, ramSize = 1 << 20): Machine {
  const m = new Machine({ ramSize });
  core(m).cpuReset();
  m.cpu.set('msr', MSR_SF | MSR_ME | (le ? MSR_LE : 0n));
  writeWords(m, CODE_BASE, words, le);
  m.cpu.set('nip', BigInt(CODE_BASE));
  return m;
}

export function writeWords(m: Machine, ra: number, words: number[], le: boolean): void {
  const bytes = new Uint8Array(words.length * 4);
  const dv = new DataView(bytes.buffer);
  words.forEach((w, k) => dv.setUint32(k * 4, w >>> 0, le));
  m.writeRam(ra, bytes);
}

/** Runs exactly n instructions (one slice). */
export function step(m: Machine, n = 1): number {
  return core(m).run(n);
}

export { EXIT };
