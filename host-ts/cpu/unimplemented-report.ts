// Reads the CPU's record of unimplemented instructions (core-as/cpu/unimplemented.ts) and names
// them: for logs at exit (CLI, tests, benchmarks). Each one raised a program interrupt in the guest.
import type { Machine } from '../machine/machine.js';
import { UNIMPL_SLOTS } from '../layout/cpu-state.js';
import { mnemonicOfKey } from './mnemonics.js';

export interface UnimplementedEntry {
  mnemonic: string;
  /** Opcode key: primary << 16 | extended opcode. */
  key: number;
  count: number;
  lastInsn: number;
  lastNip: bigint;
}

export function readUnimplemented(m: Machine): UnimplementedEntry[] {
  const out: UnimplementedEntry[] = [];
  for (let i = 0; i < UNIMPL_SLOTS; i++) {
    const key = m.cpu.getNum('unimplKey', i);
    if (key === 0) break;
    const k = key & 0x7fffffff; // bit 31 marks a used slot
    out.push({
      mnemonic: mnemonicOfKey(k),
      key: k,
      count: m.cpu.getNum('unimplCount', i),
      lastInsn: m.cpu.getNum('unimplInsn', i),
      lastNip: m.cpu.getBig('unimplNip', i),
    });
  }
  return out;
}

/** One line per unimplemented mnemonic (empty string when there were none). */
export function unimplementedReport(m: Machine): string {
  const lines = readUnimplemented(m).map((e) =>
    `${e.mnemonic}: ${e.count}x (last 0x${e.lastInsn.toString(16).padStart(8, '0')} at 0x${e.lastNip.toString(16)})`);
  const overflow = m.cpu.getNum('unimplOverflow');
  if (overflow) lines.push(`(${overflow} more of opcodes beyond the table's ${UNIMPL_SLOTS} slots)`);
  const spr = m.cpu.getNum('unknownSprCount');
  if (spr) lines.push(`unmodelled SPR accesses: ${spr} (last ${m.cpu.getNum('unknownSprLast') & 0xffff}${m.cpu.getNum('unknownSprLast') & 0x10000 ? ', mtspr' : ', mfspr'})`);
  return lines.join('\n');
}
