// -object filter-dump,netdev=ID,file=F: records every frame between a netdev and its NIC,
// both directions, in a pcap file. Frames toward the guest are recorded when the device
// takes them (so a frame the device retries later is written once); frames from the guest
// before the backend sends them (QEMU's netdev filters see them first, too).
import type { NetBackend, NetPort } from './net-port.js';
import { PcapWriter } from './pcap-writer.js';

export interface FilterDumpOptions {
  file: string;
  /** Bytes kept per frame (QEMU's maxlen, default 65536). */
  maxlen?: number;
  /**
   * Timestamp source in microseconds. Default: wall clock. (QEMU stamps with its virtual
   * clock, which starts at 0; pass the machine's clock for that.)
   */
  clockUs?: () => number;
}

const wallClockUs = (): number => {
  const ns = process.hrtime.bigint() - HR_BASE;
  return EPOCH_BASE_US + Number(ns / 1000n);
};
const HR_BASE = process.hrtime.bigint();
const EPOCH_BASE_US = Date.now() * 1000;

/** Wraps `backend` so that its traffic is written to a pcap file. */
export function withFilterDump(backend: NetBackend, opts: FilterDumpOptions): NetBackend & { readonly writer: PcapWriter } {
  const writer = PcapWriter.open(opts.file, opts.maxlen ?? 65536);
  const now = opts.clockUs ?? wallClockUs;
  return {
    id: backend.id,
    writer,
    get stats() {
      return backend.stats;
    },
    attach(port: NetPort): void {
      backend.attach({
        canReceive: () => port.canReceive(),
        onCanReceive: (cb) => port.onCanReceive(cb),
        receive(frames: Uint8Array[]): number {
          const n = port.receive(frames);
          const ts = now();
          for (let i = 0; i < n; i++) writer.write(frames[i], ts);
          return n;
        },
      });
    },
    transmit(frame: Uint8Array): void {
      writer.write(frame, now());
      backend.transmit(frame);
    },
    async close(): Promise<void> {
      await backend.close();
      writer.close();
    },
  };
}
