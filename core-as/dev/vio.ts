// VIO bus fast path: unit-address lookup, H_VIO_SIGNAL, interrupt pulses (spec 1.2, 1.4, 2.9).
import {
  VIO_INSTANCES, vioBase, vioKind, vioReg, vioSignalMask, vioSignalState, vioSetSignalState,
  vioIrqPulses, vioSetIrqPulses, vioSetIrqPending, cpuGpr, cpuSetGpr,
  VIO_KIND_NONE, H_PARAMETER, H_SUCCESS,
} from '../gen/layout';

/** Base of the VIO slot whose unit address is `unit` truncated to 32 bits (spec 1.2, Q15), or 0. */
export function vioFind(unit: u64): u32 {
  const reg = <u32>unit;
  for (let i: u32 = 0; i < VIO_INSTANCES; i++) {
    const b = vioBase(i);
    if (vioKind(b) != VIO_KIND_NONE && vioReg(b) == reg) return b;
  }
  return 0;
}

/** Raises one interrupt pulse on the slot's line (edge; spec 1.4). */
export function vioPulse(slot: u32): void {
  vioSetIrqPulses(slot, vioIrqPulses(slot) + 1);
  vioSetIrqPending(slot, 1);
}

/** H_VIO_SIGNAL(unit, mode): spec 2.9. Enabling raises no interrupt for pending entries. */
export function hVioSignal(): void {
  const slot = vioFind(cpuGpr(4));
  const mode = cpuGpr(5);
  if (slot == 0 || (mode & ~vioSignalMask(slot)) != 0) {
    cpuSetGpr(3, <u64>H_PARAMETER);
    return;
  }
  vioSetSignalState(slot, mode);
  cpuSetGpr(3, <u64>H_SUCCESS);
}

// @ts-ignore: decorator
@inline export function vioSignalEnabled(slot: u32): bool {
  return (vioSignalState(slot) & 1) != 0;
}
