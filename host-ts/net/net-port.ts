// The network port between a NIC and a backend, two-sided like TinyEMU's EthernetDevice:
// the backend offers frames, the device says whether it can take them (QEMU can_receive), and
// frames the guest transmits go to the backend. Backends never see PAPR.

/** The device side, as a backend sees it. */
export interface NetPort {
  /** True while the device has room (guest buffers posted and the host queue not full). */
  canReceive(): boolean;
  /** Offers received frames (in order); returns how many were taken. The rest stay with the backend. */
  receive(frames: Uint8Array[]): number;
  /** Called by the device when receive capacity returns, so a paused backend resumes reading. */
  onCanReceive(cb: () => void): void;
}

/** A host network backend (-netdev): tap, socket, in-process. */
export interface NetBackend {
  readonly id: string;
  /** Connects the backend to a device port and starts moving frames. */
  attach(port: NetPort): void;
  /** Sends one frame the guest transmitted. */
  transmit(frame: Uint8Array): void;
  close(): Promise<void> | void;
}
