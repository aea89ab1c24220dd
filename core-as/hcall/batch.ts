// Batched hypercalls for the host API (qtest style): one Wasm call runs many records, so a host
// driving a device without a CPU (tests, benchmarks, embedders) does not cross into Wasm per call.
import { cpuSetGpr, cpuGpr } from '../gen/layout';
import { SCRATCH_BATCH, SCRATCH_BATCH_SIZE } from '../mem/scratch';
import { hcallDispatch } from './dispatch';

/** Bytes of one record: r3..r12 as inputs, then the status r3 returned. */
export const HCALL_REC_SIZE: u32 = 88;

/** hoff of the batch record area (the host writes records there). */
export function hcallBatchBase(): u32 {
  return SCRATCH_BATCH;
}

/**
 * Runs `n` records starting at byte `offset` of the batch area; stops at a record that would leave
 * the area and returns how many ran. Each record's inputs are left as they were.
 */
export function hcallBatch(offset: u32, n: u32): u32 {
  for (let i: u32 = 0; i < n; i++) {
    const at = <u64>offset + <u64>i * HCALL_REC_SIZE;
    if (at + HCALL_REC_SIZE > <u64>SCRATCH_BATCH_SIZE) return i;
    const rec = SCRATCH_BATCH + <u32>at; // in bounds: checked against the area size just above
    for (let r: u32 = 0; r < 10; r++) cpuSetGpr(3 + r, load<u64>(rec + r * 8));
    hcallDispatch();
    store<u64>(rec + 80, cpuGpr(3));
  }
  return n;
}
