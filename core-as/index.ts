// The one Wasm module: what runs per instruction or per packet. Exports are the host's entry points.
import { hcallDispatch } from './hcall/dispatch';

/** Highest hoff used by AS static data; the host checks it stays below AS_RESERVED. */
export function heapBase(): u32 {
  return <u32>__heap_base;
}

/** Completes the hypercall in cpu.gpr[3..12] (host API entry; the CPU's `sc 1` calls the same). */
export function hcall(): void {
  hcallDispatch();
}

export { vlanArrive, vlanFlush, devTimers, devNextDeadline, vlanReset, vlanSendRetry } from './dev/llan-exports';

/** Batched hypercalls from records in the scratch region (hcall/batch.ts). */
export { hcallBatch, hcallBatchBase } from './hcall/batch';

export { run, cpuReset } from './cpu/run';
import { decDeadlineNs } from './cpu/timebase';
import { interruptDeliverable } from './cpu/exceptions';

/** Virtual time (ns) at which the decrementer next raises its exception (host idle handling). */
export function cpuDecDeadlineNs(): u64 { return decDeadlineNs(); }

/** 1 if an asynchronous interrupt could be delivered now (MSR[EE] and DEC or external pending). */
export function cpuInterruptDeliverable(): u32 { return interruptDeliverable() ? 1 : 0; }
