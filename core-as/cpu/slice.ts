// Instruction accounting inside a run slice, with the stop request folded into the same counter:
// the inner loop only decrements `chunkLeft` and tests it for zero (one Wasm global per
// instruction). requestStop() moves what the chunk has executed into `folded` and leaves one
// instruction (the current one) to finish, so the loop ends after it; nothing else is checked
// per instruction.
import { cpuInsnCount } from '../gen/layout';

let chunkSize: u32 = 0;
/** Instructions left in the current chunk (the run loop's only per-instruction test). */
export let chunkLeft: u32 = 0;
/** Executed instructions moved out of the chunk counters, not yet committed to vclockNs. */
let folded: u64 = 0;

/** Instructions executed since the last commitClock (not counting the one executing now). */
// @ts-ignore: decorator
@inline export function pendingInsns(): u64 { return folded + <u64>(chunkSize - chunkLeft); }

/** Forgets the pending count (commitClock has moved it into vclockNs and cpu.insnCount). */
export function pendingCommitted(): void {
  folded = 0;
  chunkSize = chunkLeft;
}

/** Ends the chunk after the instruction executing now (interrupt state changed, exit requested). */
export function requestStop(): void {
  folded += <u64>(chunkSize - chunkLeft);
  chunkSize = 1;
  chunkLeft = 1;
}

export function beginChunk(n: u32): void {
  folded += <u64>(chunkSize - chunkLeft);
  chunkSize = n;
  chunkLeft = n;
}

/** One instruction done. */
// @ts-ignore: decorator
@inline export function tick(): void { chunkLeft--; }

/** Monotonic count of executed instructions (committed + pending). */
export function executedTotal(): u64 {
  return cpuInsnCount() + pendingInsns();
}
