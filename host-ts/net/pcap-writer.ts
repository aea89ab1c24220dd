// A pcap file writer (libpcap format 2.4, Ethernet link type), as QEMU's filter-dump writes:
// global header, then per frame a 16-byte record header and the first `snaplen` bytes.
// Records are buffered and written at the end of the current event-loop turn and on close.
import { closeSync, openSync, writeSync } from 'node:fs';

export const PCAP_MAGIC = 0xa1b2c3d4; // microsecond timestamps
export const LINKTYPE_ETHERNET = 1;
const FLUSH_BYTES = 256 * 1024;

export class PcapWriter {
  private fd: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  private flushQueued = false;
  /** Frames written (records). */
  records = 0;

  private constructor(fd: number, readonly snaplen: number) {
    this.fd = fd;
  }

  /** Creates (truncates) `path` and writes the global header. Throws with the path on error. */
  static open(path: string, snaplen = 65536): PcapWriter {
    let fd: number;
    try {
      fd = openSync(path, 'w');
    } catch (e) {
      throw new Error(`filter-dump: cannot create ${path}: ${(e as Error).message}`);
    }
    const w = new PcapWriter(fd, snaplen);
    const h = Buffer.alloc(24);
    // Written in host byte order (little-endian here), as libpcap and QEMU do; readers detect it by the magic.
    h.writeUInt32LE(PCAP_MAGIC, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeInt32LE(0, 8); // thiszone
    h.writeUInt32LE(0, 12); // sigfigs
    h.writeUInt32LE(snaplen, 16);
    h.writeUInt32LE(LINKTYPE_ETHERNET, 20);
    writeSync(fd, h);
    return w;
  }

  /** Appends one frame captured at `tsUs` microseconds since the epoch. */
  write(frame: Uint8Array, tsUs: number): void {
    if (this.fd < 0) return;
    const cap = Math.min(frame.length, this.snaplen);
    const rec = Buffer.allocUnsafe(16 + cap);
    rec.writeUInt32LE(Math.floor(tsUs / 1e6) >>> 0, 0);
    rec.writeUInt32LE(Math.floor(tsUs % 1e6), 4);
    rec.writeUInt32LE(cap, 8);
    rec.writeUInt32LE(frame.length, 12);
    rec.set(frame.subarray(0, cap), 16);
    this.chunks.push(rec);
    this.buffered += rec.length;
    this.records++;
    if (this.buffered >= FLUSH_BYTES) this.flush();
    else if (!this.flushQueued) {
      this.flushQueued = true;
      setImmediate(() => {
        this.flushQueued = false;
        this.flush();
      });
    }
  }

  flush(): void {
    if (this.fd < 0 || this.buffered === 0) return;
    writeSync(this.fd, Buffer.concat(this.chunks, this.buffered));
    this.chunks = [];
    this.buffered = 0;
  }

  close(): void {
    if (this.fd < 0) return;
    this.flush();
    closeSync(this.fd);
    this.fd = -1;
  }
}
