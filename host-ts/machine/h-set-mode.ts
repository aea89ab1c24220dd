// H_SET_MODE (0x31C, PAPR "hcall-set-mode"): the partition asks the hypervisor to change LPCR
// fields it cannot write itself. r4 = mflags, r5 = resource, r6 = value1, r7 = value2.
// Implemented resources (QEMU 7.2 hw/ppc/spapr_hcall.c behaviour, facts only):
// - 4 H_SET_MODE_RESOURCE_LE: mflags 0 = interrupts big-endian (LPCR[ILE] = 0), 1 = little-endian
//   (LPCR[ILE] = 1); value1/value2 must be 0 (else H_P3 / H_P4); other mflags H_UNSUPPORTED_FLAG.
//   Measured: QEMU 7.2 returns H_SUCCESS and interrupts then arrive LE (guests/hello-le.elf).
// - 3 H_SET_MODE_RESOURCE_ADDR_TRANS_MODE: mflags = AIL (0, 2 or 3; 1 is H_UNSUPPORTED_FLAG),
//   value1/value2 must be 0; sets LPCR[AIL] (only matters once relocation exists).
// Any other resource: H_P2.
import { HCALL, HRC } from '../layout/papr.js';
import type { Machine } from './machine.js';

export const H_SET_MODE_RESOURCE_ADDR_TRANS_MODE = 3;
export const H_SET_MODE_RESOURCE_LE = 4;
/** LPCR[ILE], Power ISA 3.0 bit 38. */
export const LPCR_ILE = 1n << 25n;
/** LPCR[AIL], bits 39:40. */
export const LPCR_AIL_SHIFT = 23n;
export const LPCR_AIL_MASK = 3n << LPCR_AIL_SHIFT;

/** Whether this core's CPU state has an LPCR (the CPU interpreter declares it). */
export function hasLpcr(m: Machine): boolean {
  return m.cpu.layout.fieldsByName.has('lpcr');
}

export function hSetMode(m: Machine): number {
  const [mflags, resource, value1, value2] = [m.gpr(4), m.gpr(5), m.gpr(6), m.gpr(7)];
  if (resource !== BigInt(H_SET_MODE_RESOURCE_LE) && resource !== BigInt(H_SET_MODE_RESOURCE_ADDR_TRANS_MODE)) return HRC.H_P2;
  if (value1 !== 0n) return HRC.H_P3;
  if (value2 !== 0n) return HRC.H_P4;
  const lpcr = m.cpu.getBig('lpcr');
  if (resource === BigInt(H_SET_MODE_RESOURCE_LE)) {
    if (mflags > 1n) return HRC.H_UNSUPPORTED_FLAG;
    m.cpu.set('lpcr', mflags === 1n ? lpcr | LPCR_ILE : lpcr & ~LPCR_ILE);
    return HRC.H_SUCCESS;
  }
  if (mflags === 1n || mflags > 3n) return HRC.H_UNSUPPORTED_FLAG;
  m.cpu.set('lpcr', (lpcr & ~LPCR_AIL_MASK) | (mflags << LPCR_AIL_SHIFT));
  return HRC.H_SUCCESS;
}

/** Registers H_SET_MODE unless the core has no LPCR or someone registered it already. */
export function registerHSetMode(m: Machine): boolean {
  if (!hasLpcr(m) || m.hasHcall(HCALL.H_SET_MODE)) return false;
  m.registerHcall(HCALL.H_SET_MODE, hSetMode);
  return true;
}
