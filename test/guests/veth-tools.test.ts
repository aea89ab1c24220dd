// The test-stream tooling shared by the guest end-to-end tests and the benchmarks.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { STREAM_END, streamFrame, streamSeq } from '../tools/frame-sender.js';
import { VETH_ARGS_MAX, withVethArgs } from '../tools/veth-args.js';

const PREBUILT = join(__dirname, '../../guests/prebuilt');

describe('test-stream frames', () => {
  test('layout: broadcast Ethernet, IPv4 header with checksum, UDP port 9, BE sequence number', () => {
    const f = streamFrame(64, 0x01020304, { srcMac: Uint8Array.of(2, 0, 0, 0, 0, 9), srcIp: '10.0.2.2', dstIp: '10.0.2.15' });
    expect(f.length).toBe(64);
    expect([...f.subarray(0, 14)]).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 9, 0x08, 0x00]);
    expect([...f.subarray(14, 34)]).toEqual([
      0x45, 0, 0, 50, 0, 0, 0, 0, 64, 17, 0x62, 0xab, 10, 0, 2, 2, 10, 0, 2, 15,
    ]);
    expect([...f.subarray(34, 46)]).toEqual([0, 9, 0, 9, 0, 30, 0, 0, 1, 2, 3, 4]);
    expect(f[46]).toBe(46);
    expect(f[63]).toBe(63);
    expect(streamSeq(f)).toBe(0x01020304);
    expect(streamSeq(streamFrame(46, STREAM_END))).toBe(STREAM_END);
  });

  test('sizes outside 46..65536 are refused; other frames have no sequence number', () => {
    expect(() => streamFrame(45, 0)).toThrow(RangeError);
    expect(() => streamFrame(65537, 0)).toThrow(RangeError);
    expect(streamFrame(65536, 7).readUInt16BE(16)).toBe(65522);
    const arp = Buffer.alloc(60);
    arp.writeUInt16BE(0x0806, 12);
    expect(streamSeq(arp)).toBeUndefined();
    const otherPort = streamFrame(64, 1);
    otherPort.writeUInt16BE(10, 36);
    expect(streamSeq(otherPort)).toBeUndefined();
  });
});

describe('veth built-in parameters', () => {
  test('patching writes the string after the marker and clears the old one', () => {
    const img = readFileSync(join(PREBUILT, 'veth-be.bin'));
    const a = withVethArgs(img, 'mode=send count=12345');
    const b = withVethArgs(a, 'idle=2');
    const at = Buffer.from(b).indexOf('VETHARGS:') + 9;
    expect(Buffer.from(b.subarray(at, at + 8)).toString('latin1')).toBe('idle=2\0\0');
    expect(Buffer.from(b).indexOf('count=12345')).toBe(-1);
    expect(b.length).toBe(img.length);
    expect(() => withVethArgs(img, 'x'.repeat(VETH_ARGS_MAX + 1))).toThrow(/longer/);
    expect(() => withVethArgs(new Uint8Array(100), 'a')).toThrow(/marker/);
  });
});
