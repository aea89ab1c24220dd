// H_CEDE (PAPR 14.5.4.3.1; QEMU h_cede): the vCPU gives up its time until an interrupt. Handled in
// Wasm so every host run loop gets it: MSR[EE] is set, and unless an interrupt is already
// deliverable the slice ends with EXIT_IDLE; run() then keeps the vCPU idle (cpu.idle) until
// the decrementer or the external input wakes it, the host advancing virtual time meanwhile.
import { cpuMsr, cpuSetMsr, cpuSetGpr, machineSetExitReason, EXIT_IDLE, H_SUCCESS } from '../gen/layout';
import { MSR_EE, msrChanged } from './regs';
import { interruptDeliverable } from './exceptions';

export function hCede(): void {
  cpuSetMsr(cpuMsr() | MSR_EE);
  msrChanged();
  cpuSetGpr(3, <u64>H_SUCCESS);
  if (!interruptDeliverable()) machineSetExitReason(EXIT_IDLE);
}
