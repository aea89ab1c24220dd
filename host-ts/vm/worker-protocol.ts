// Messages between a WorkerVm (main thread) and its worker (worker-entry.ts). Frames and console
// bytes travel as transferred ArrayBuffers (frame-batch.ts), one message per event-loop turn.
import type { MachineConfig, MachineConfigInput } from '../config/machine-config.js';
import type { VmErrorCode } from './errors.js';
import type { IdleMode } from '../machine/runner.js';
import type { Labels } from '../metrics/exposition.js';
import type { RunState } from '../qmp/qmp-target.js';

/** What can cross to the worker of VmOptions (streams, callbacks and registries cannot). */
export interface WorkerVmOptions {
  sliceInsns?: number;
  idle?: IdleMode;
  files?: Record<string, Uint8Array>;
  labels?: Labels;
}

export type VmMethod = 'start' | 'pause' | 'resume' | 'reset' | 'stop' | 'stats' | 'metrics' | 'write';

export interface WireError {
  code: VmErrorCode;
  message: string;
  state?: string;
}

export type ToWorker =
  | { t: 'create'; config: MachineConfigInput | MachineConfig; opts: WorkerVmOptions }
  | { t: 'call'; id: number; method: VmMethod; args: unknown[] }
  | { t: 'frames'; net: string; buf: ArrayBuffer };

export type FromWorker =
  | { t: 'created'; status: RunState; nets: string[]; metricsPort?: number }
  | { t: 'create-failed'; err: WireError }
  | { t: 'reply'; id: number; ok: true; value: unknown }
  | { t: 'reply'; id: number; ok: false; err: WireError }
  | { t: 'event'; name: string; payload: unknown }
  | { t: 'frames'; net: string; buf: ArrayBuffer }
  | { t: 'drain'; net: string }
  | { t: 'console'; buf: ArrayBuffer };
