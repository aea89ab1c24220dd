// What the QMP server needs from a machine. The server owns the protocol; the target owns the
// run state and the devices. A machine implements this (usually through RunStateTracker for the
// state rules and events), tests implement it with fakes.
import type { JsonObject, JsonValue } from './json-value.js';
import type { VlanDeviceStats } from '../telemetry/vlan-stats.js';

/** QEMU's RunState values (qapi/run-state.json); we use a subset but report the same names. */
export type RunState =
  | 'debug' | 'inmigrate' | 'internal-error' | 'io-error' | 'paused' | 'postmigrate' | 'prelaunch'
  | 'finish-migrate' | 'restore-vm' | 'running' | 'save-vm' | 'shutdown' | 'suspended' | 'watchdog'
  | 'guest-panicked' | 'colo';

/** An asynchronous event; the server adds the timestamp when it sends it. */
export interface QmpEvent {
  event: string;
  data?: JsonObject;
}

export type QmpEventListener = (e: QmpEvent) => void;

/** The running migration engine, optional (query-migrate answers {} without one, like QEMU before any migration). */
export interface MigrationHooks {
  /** Starts an outgoing migration to `uri`; throws Error with a QEMU-like message on a bad URI. */
  migrate(uri: string, opts: { detach?: boolean; resume?: boolean }): void | Promise<void>;
  /** The query-migrate return object (MigrationInfo: status, total-time, ram {...}, error-desc). */
  queryMigrate(): JsonObject;
  /** migrate-incoming (after -incoming defer): starts waiting on `uri`; throws Error with QEMU's message. */
  migrateIncoming?(uri: string): void;
}

export interface QmpTarget {
  /** Current run state. */
  status(): RunState;
  /** Pauses the vCPUs; emits STOP if it was running. */
  stop(): void;
  /** Resumes; emits RESUME if it was not running. The server has already refused states that need a reset. */
  cont(): void;
  /** system_reset: resets the machine, emits RESET {guest: false, reason: "host-qmp-system-reset"}. */
  reset(): void;
  /** quit: powers the machine off, emits SHUTDOWN {guest: false, reason: "host-qmp-quit"}. Must not exit
   *  the process synchronously: the server answers and closes its sockets first, then fires its own 'quit'. */
  quit(): void;
  /** Per-device telemetry for query-vlan-stats. */
  vlanStats(): VlanDeviceStats[];
  /** Subscribes to machine events; returns the unsubscribe function. */
  onEvent(listener: QmpEventListener): () => void;
  migration?: MigrationHooks;
}

export type { JsonValue };
