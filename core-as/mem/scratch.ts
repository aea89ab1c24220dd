// Carving of the scratch region (memory map 'scratch', 128 KiB): emulator-only temporaries, never
// guest RAM. Device code and the hypercall batch area must not overlap: a batched H_ADD may re-sort pools.
import { SCRATCH_BASE } from '../gen/layout';

/** Small device temporaries (correlator bounce, pool simulation, H_ADD_LOGICAL_LAN_BUFFERS lists): 4 KiB. */
export const SCRATCH_TMP: u32 = SCRATCH_BASE;
/** Bounce area for swapping two RX pools' descriptors (32 KiB = one pool). */
export const SCRATCH_SWAP: u32 = SCRATCH_BASE + 0x8000;
/** Hypercall batch records (hcall/batch.ts): 64 KiB. */
export const SCRATCH_BATCH: u32 = SCRATCH_BASE + 0x10000;
export const SCRATCH_BATCH_SIZE: u32 = 0x10000;
