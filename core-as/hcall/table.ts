// The table of hypercalls completed inside Wasm. Each device module registers its opcodes here,
// by number (QEMU spapr_register_hypercall style). Returns false for an opcode handled by the host.
import { H_VIO_SIGNAL } from '../gen/layout';
import { hVioSignal } from '../dev/vio';

/** Runs the fast handler for `opcode` if there is one; true when the call completed. */
export function hcallFast(opcode: u64): bool {
  if (opcode > 0xffff) return false;
  switch (<u32>opcode) {
    case <u32>H_VIO_SIGNAL: hVioSignal(); return true;
    default:
      return false;
  }
}
