// Runs one differential vector (scripts/isa-vectors) on our CPU and returns the mismatches.
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Machine } from '../../host-ts/machine/machine.js';
import { core, writeWords, CODE_BASE } from './harness.js';
import { SLOTS, type Vector } from '../../scripts/isa-vectors/vector-format.js';

export { SLOTS, type Vector };

const GPR_NUM = [3, 4, 5, 6, 7, 28, 29, 30, 31];
/** Data address the memory cases use (256 bytes into a 512-byte patterned buffer). */
export const DATA_ADDR = 0x20100;
const PATTERN = Uint8Array.from({ length: 512 }, (_, k) => (k * 37 + 11) & 0xff);

const here = dirname(fileURLToPath(import.meta.url));
export function loadVectors(mode: 'le' | 'be'): Vector[] {
  return JSON.parse(readFileSync(join(here, 'vectors', `${mode}.json`), 'utf8')) as Vector[];
}

function slotGet(m: Machine, k: number): bigint {
  if (k < 9) return m.gpr(GPR_NUM[k]);
  return m.cpu.getBig(SLOTS[k]);
}

function slotSet(m: Machine, k: number, v: bigint): void {
  if (k < 9) m.setGpr(GPR_NUM[k], v);
  else m.cpu.set(SLOTS[k], SLOTS[k] === 'cr' ? Number(v & 0xffffffffn) : v);
}

const MSR_BASE = (1n << 63n) | (1n << 12n);

/** Runs `v` and returns a list of mismatches (empty = pass). */
export function runVector(m: Machine, v: Vector, le: boolean): string[] {
  const isMem = v.mem !== undefined;
  const words = v.code.map((w) => parseInt(w, 16));
  writeWords(m, CODE_BASE, words, le);
  m.writeRam(DATA_ADDR - 256, PATTERN);
  m.cpu.set('msr', MSR_BASE | (le ? 1n : 0n));
  m.cpu.set('nip', BigInt(CODE_BASE));
  m.cpu.set('resValid', 0);
  m.cpu.set('srr0', 0n);
  m.cpu.set('srr1', 0n);
  v.in.forEach((x, k) => {
    let val = BigInt('0x' + x);
    if (isMem && k === 1) val = BigInt.asUintN(64, val + BigInt(DATA_ADDR));
    slotSet(m, k, val);
  });
  const end = BigInt(CODE_BASE + 4 * words.length);
  const c = core(m);
  for (let n = 0; n < 64 && m.cpu.getBig('nip') !== end; n++) {
    c.run(1);
    if (m.cpu.getBig('nip') === 0x700n) break;
  }
  const bad: string[] = [];
  if (v.trap) {
    if (m.cpu.getBig('nip') !== 0x700n) bad.push(`expected a trap, nip=${m.cpu.getBig('nip').toString(16)}`);
    else if ((m.cpu.getBig('srr1') & 0x20000n) === 0n) bad.push('SRR1 lacks the trap bit');
    else if (m.cpu.getBig('srr0') !== BigInt(CODE_BASE)) bad.push(`SRR0 ${m.cpu.getBig('srr0').toString(16)}`);
    return bad;
  }
  if (m.cpu.getBig('nip') !== end) bad.push(`did not reach the end: nip=${m.cpu.getBig('nip').toString(16)}`);
  v.out.forEach((x, k) => {
    let got = slotGet(m, k);
    let want: bigint;
    if (x.startsWith('pc+')) { want = BigInt('0x' + x.slice(3)); got = BigInt.asUintN(64, got - BigInt(CODE_BASE)); }
    else if (x.startsWith('d+')) { want = BigInt('0x' + x.slice(2)); got = BigInt.asUintN(64, got - BigInt(DATA_ADDR)); }
    else {
      want = BigInt('0x' + x);
      if (isMem && k === 1) got = BigInt.asUintN(64, got - BigInt(DATA_ADDR));
    }
    if (got !== want) bad.push(`${SLOTS[k]}: got ${got.toString(16)} want ${want.toString(16)}`);
  });
  if (isMem) {
    const expect = PATTERN.slice();
    for (const [off, b] of v.mem!) expect[off + 256] = b;
    const got = m.readRam(DATA_ADDR - 256, 512);
    for (let k = 0; k < 512; k++) {
      if (got[k] !== expect[k]) { bad.push(`mem[${k - 256}]: got ${got[k].toString(16)} want ${expect[k].toString(16)}`); break; }
    }
  }
  return bad;
}
