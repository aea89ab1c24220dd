// The network port between a NIC and a backend, two-sided like TinyEMU's EthernetDevice:
// the backend offers frames, the device says whether it can take them (QEMU can_receive), and
// frames the guest transmits go to the backend. Backends never see PAPR.

/** The device side, as a backend sees it. */
export interface NetPort {
  /** True while the device has room (guest buffers posted and the host queue not full). */
  canReceive(): boolean;
  /**
   * Offers received frames (in order); returns how many were taken (accepted or dropped by the
   * device). The rest stay with the backend, which offers them again after onCanReceive.
   * The views may point into a backend's staging buffer: the device copies what it keeps
   * before returning.
   */
  receive(frames: Uint8Array[]): number;
  /** Called by the device when receive capacity returns, so a paused backend resumes reading. */
  onCanReceive(cb: () => void): void;
  /**
   * Optional hint: how many frames the device can place now (e.g. posted RX buffers). Backends
   * offer at most this many per call and keep the rest, so frames wait in the backend (read
   * again on onCanReceive) rather than in a device queue that only a flush timer drains.
   */
  receiveRoom?(): number;
}

/** Counters every backend keeps (host side of the wire). */
export interface NetBackendStats {
  /** Frames and bytes handed to the port (host -> guest). */
  rxFrames: number;
  rxBytes: number;
  /** Frames the backend discarded on the way in (its bounded queue full, bad framing). */
  rxDropped: number;
  /** Frames and bytes sent to the host network (guest -> host). */
  txFrames: number;
  txBytes: number;
  /** Frames discarded on the way out (no peer, too big for the transport, send queue full). */
  txDropped: number;
}

/** A host network backend (-netdev): tap, socket, in-process. */
export interface NetBackend {
  readonly id: string;
  readonly stats: NetBackendStats;
  /** Connects the backend to a device port and starts moving frames. */
  attach(port: NetPort): void;
  /**
   * Sends one frame the guest transmitted. `frame` may be a view of a staging ring that is
   * reused after this returns: the backend copies what it keeps.
   */
  transmit(frame: Uint8Array): void;
  close(): Promise<void>;
}

export function newStats(): NetBackendStats {
  return { rxFrames: 0, rxBytes: 0, rxDropped: 0, txFrames: 0, txBytes: 0, txDropped: 0 };
}
