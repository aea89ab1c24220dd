// QEMU's stream framing (-netdev socket,listen/connect and -netdev stream): each frame is
// preceded by its length as a 4-byte big-endian integer.

/** Largest frame QEMU's reader accepts (NET_BUFSIZE: 4096 + 65536); a bigger length ends the connection. */
export const STREAM_MAX_FRAME = 4096 + 65536;

export function encodeFrame(frame: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(4 + frame.length);
  out.writeUInt32BE(frame.length, 0);
  out.set(frame, 4);
  return out;
}

export class FrameTooBigError extends Error {}

/** Incremental decoder: feed chunks as they come, get whole frames in order. */
export class FrameDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Returns the frames completed by `chunk`; throws FrameTooBigError on a bad length. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    let buf = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.buffered);
    let off = 0;
    while (buf.length - off >= 4) {
      const len = buf.readUInt32BE(off);
      if (len > STREAM_MAX_FRAME) throw new FrameTooBigError(`frame length ${len} exceeds ${STREAM_MAX_FRAME}`);
      if (buf.length - off - 4 < len) break;
      // A copy, so the frame does not pin the whole chunk.
      frames.push(Buffer.from(buf.subarray(off + 4, off + 4 + len)));
      off += 4 + len;
    }
    buf = buf.subarray(off);
    this.chunks = buf.length > 0 ? [buf] : [];
    this.buffered = buf.length;
    return frames;
  }

  reset(): void {
    this.chunks = [];
    this.buffered = 0;
  }
}
