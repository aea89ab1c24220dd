// QMP error objects: {"error": {"class": ..., "desc": ...}}. QEMU 7.2 uses GenericError for
// nearly everything and CommandNotFound for unknown commands and negotiation-mode refusals.

export type QmpErrorClass = 'GenericError' | 'CommandNotFound' | 'DeviceNotActive' | 'DeviceNotFound' | 'KVMMissingCap';

export class QmpError extends Error {
  constructor(readonly errorClass: QmpErrorClass, desc: string) {
    super(desc);
    this.name = 'QmpError';
  }
}

export const genericError = (desc: string) => new QmpError('GenericError', desc);
