// The format of a differential instruction vector, shared by the generator (gen.ts) and the
// test runner (test/isa/vector-runner.ts).

/** Register slots of a vector's in/out arrays, in order. */
export const SLOTS = ['r3', 'r4', 'r5', 'r6', 'r7', 'r28', 'r29', 'r30', 'r31', 'xer', 'cr', 'ctr', 'lr'] as const;

export interface Vector {
  /** Mnemonic under test. */
  m: string;
  asm: string;
  /** Instruction words of the sequence. */
  code: string[];
  /** Inputs/outputs by SLOTS order, hex; r4 in memory cases is an offset from the data address;
   *  "pc+N" = the address of the first instruction + N. */
  in: string[];
  out: string[];
  /** Trapped (program interrupt, trap) at the trap instruction. */
  trap?: boolean;
  /** Bytes changed in the data buffer: [offset from the data address, value]. */
  mem?: [number, number][];
}
