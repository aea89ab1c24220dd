// Typed errors of the embedding API: one base class with a stable `code`, a subclass per kind of
// failure, messages that name the option, device or state involved.

export type VmErrorCode = 'config' | 'boot' | 'netdev' | 'state' | 'worker';

export class VmError extends Error {
  constructor(readonly code: VmErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The configuration is invalid (unknown machine type, bad -m, a NIC naming a missing netdev...). */
export class VmConfigError extends VmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('config', message, options);
  }
}

/** The machine could not be assembled: an image missing or unreadable, overlapping images. */
export class VmBootError extends VmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('boot', message, options);
  }
}

/** A network backend could not be opened, or an API call named a netdev that is not in-process. */
export class VmNetdevError extends VmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('netdev', message, options);
  }
}

/** The call is not allowed in the machine's current state (resume after power-off, ...). */
export class VmStateError extends VmError {
  constructor(message: string, readonly state: string) {
    super('state', message);
  }
}

/** The worker thread running the machine failed or went away. */
export class VmWorkerError extends VmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('worker', message, options);
  }
}

/** Rebuilds a typed error from its (code, name, message) after a worker-thread crossing. */
export function vmErrorFrom(code: VmErrorCode, message: string, state?: string): VmError {
  switch (code) {
    case 'config': return new VmConfigError(message);
    case 'boot': return new VmBootError(message);
    case 'netdev': return new VmNetdevError(message);
    case 'state': return new VmStateError(message, state ?? 'unknown');
    default: return new VmWorkerError(message);
  }
}
