// Hypercall dispatch (spec 1.5). Inputs: r3 = opcode, r4..r12 = arguments; outputs: r3 = status,
// r4.. = returns; registers a call does not write keep their values. Frequent calls complete here
// without a JS crossing; every other opcode goes to the host through the hostHcall import, which
// answers H_FUNCTION for opcodes nobody handles. The CPU's `sc 1` and the host API both enter here.
import {
  cpuGpr, cpuSetGpr, cpuMsr, machineHcallExits, machineSetHcallExits, machineHcallFast, machineSetHcallFast,
  H_PRIVILEGE,
} from '../gen/layout';
import { hostHcall } from '../host';
import { hcallFast } from './table';

const MSR_PR: u64 = 1 << 14; // problem state (Power ISA 3.0 MSR bit 49)

/** Completes the hypercall described by r3..r12. */
export function hcallDispatch(): void {
  if (cpuMsr() & MSR_PR) {
    cpuSetGpr(3, <u64>H_PRIVILEGE); // spec 1.5: not executed in problem state
    return;
  }
  if (hcallFast(cpuGpr(3))) {
    machineSetHcallFast(machineHcallFast() + 1);
    return;
  }
  machineSetHcallExits(machineHcallExits() + 1);
  hostHcall();
}
