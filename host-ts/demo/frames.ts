// Frames of the demo's traffic: the veth guest's UDP test stream (guests/README.md "Test stream":
// Ethernet + IPv4 + UDP to port 9, a 32-bit big-endian sequence number, filler byte i = i & 0xff;
// 0xffffffff ends the stream) and the IPv4 fragments of a large ICMP echo request (`ping -s 65507`),
// which the guest counts as `frag` and does not reassemble.

export const STREAM_PORT = 9;
export const STREAM_END = 0xffffffff;
/** 14 Ethernet + 20 IPv4 + 8 UDP + 4 sequence number. */
export const STREAM_MIN_FRAME = 46;
const ETH_HLEN = 14;
const IP_HLEN = 20;
const BROADCAST = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff];
const SRC_MAC = [0x02, 0, 0, 0, 0, 0x01];
const SRC_IP = [10, 0, 2, 2];
const DST_IP = [10, 0, 2, 15];

function ipChecksum(b: Uint8Array, off: number): number {
  let s = 0;
  for (let i = 0; i < IP_HLEN; i += 2) s += (b[off + i] << 8) | b[off + i + 1];
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Ethernet + IPv4 header into `f`; `ipLen` = IPv4 total length, `frag` = flags | offset/8. */
function ethIp(f: Uint8Array, proto: number, ipLen: number, id: number, frag: number): void {
  const dv = new DataView(f.buffer, f.byteOffset, f.length);
  f.set(BROADCAST, 0);
  f.set(SRC_MAC, 6);
  dv.setUint16(12, 0x0800);
  f[14] = 0x45;
  dv.setUint16(16, ipLen & 0xffff);
  dv.setUint16(18, id & 0xffff);
  dv.setUint16(20, frag);
  f[22] = 64;
  f[23] = proto;
  f.set(SRC_IP, 26);
  f.set(DST_IP, 30);
  dv.setUint16(24, ipChecksum(f, ETH_HLEN));
}

/** A test-stream frame of `size` bytes (46 ... 65536) with sequence number `seq`. */
export function streamFrame(size: number, seq: number): Uint8Array {
  if (!Number.isInteger(size) || size < STREAM_MIN_FRAME || size > 65536) throw new RangeError(`stream frame size ${size} outside ${STREAM_MIN_FRAME}..65536`);
  const f = new Uint8Array(size);
  ethIp(f, 17, size - ETH_HLEN, 0, 0);
  const dv = new DataView(f.buffer);
  dv.setUint16(34, STREAM_PORT);
  dv.setUint16(36, STREAM_PORT);
  dv.setUint16(38, (size - ETH_HLEN - IP_HLEN) & 0xffff);
  for (let i = 46; i < size; i++) f[i] = i & 0xff;
  dv.setUint32(42, seq >>> 0);
  return f;
}

/** A copy of a stream frame with another sequence number (the template is left as it is). */
export function withSeq(template: Uint8Array, seq: number): Uint8Array {
  const f = template.slice();
  new DataView(f.buffer).setUint32(42, seq >>> 0);
  return f;
}

/**
 * The Ethernet frames of one ICMP echo request with `payload` data bytes (ping -s) sent over a
 * link of `mtu`: IPv4 fragments of (mtu - 20) rounded down to 8 bytes, the last one shorter.
 * ping -s 65507 at MTU 1500: 65515 bytes of ICMP = 44 x 1480 + 395, so 45 frames (44 of 1514 bytes).
 */
export function pingFragments(payload: number, mtu: number, id: number): Uint8Array[] {
  const icmpLen = 8 + payload;
  if (IP_HLEN + icmpLen > 65535) throw new RangeError(`ping payload ${payload} too large for IPv4 (max 65507)`);
  const per = Math.floor((mtu - IP_HLEN) / 8) * 8;
  if (per < 8) throw new RangeError(`MTU ${mtu} too small`);
  const icmp = new Uint8Array(icmpLen);
  icmp[0] = 8; // echo request; the checksum is not checked by the guest and left 0
  new DataView(icmp.buffer).setUint16(4, id & 0xffff);
  for (let i = 8; i < icmpLen; i++) icmp[i] = i & 0xff;
  const frames: Uint8Array[] = [];
  for (let off = 0; off < icmpLen; off += per) {
    const len = Math.min(per, icmpLen - off);
    const more = off + len < icmpLen;
    const f = new Uint8Array(ETH_HLEN + IP_HLEN + len);
    ethIp(f, 1, IP_HLEN + len, id, (more ? 0x2000 : 0) | (off / 8));
    f.set(icmp.subarray(off, off + len), ETH_HLEN + IP_HLEN);
    frames.push(f);
  }
  return frames;
}
