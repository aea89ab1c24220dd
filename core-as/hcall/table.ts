// The table of hypercalls completed inside Wasm. Each device module registers its opcodes here,
// by number (QEMU spapr_register_hypercall style). Returns false for an opcode handled by the host.

/** Runs the fast handler for `opcode` if there is one; true when the call completed. */
export function hcallFast(opcode: u64): bool {
  switch (<u32>opcode) {
    default:
      return false;
  }
}
