// The veth guest (guests/prebuilt) on pseries-wasm with an in-process backend: test-stream frames
// in, echoes out, the guest's result line and the device's behaviour per RX mode. Virtual time
// (1 ns per instruction) makes these runs deterministic. Skipped while the core has no CPU.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPseries } from '../../host-ts/machine/pseries.js';
import { InProcessBackend } from '../../host-ts/net/in-process-backend.js';
import { STREAM_END, streamFrame, streamSeq } from '../tools/frame-sender.js';
import { parseVethResult } from '../tools/veth-qemu.js';

const PREBUILT = join(__dirname, '../../guests/prebuilt');
const image = (f: string): Uint8Array => new Uint8Array(readFileSync(join(PREBUILT, f)));
const hasCpu = createPseries({ bios: image('hello-be.bin') }).hasCpu;

async function runGuest(img: string, append: string, pools: boolean, frames: Uint8Array[], addBuffersHcall = true, afterReady = false) {
  let out = '';
  const p = createPseries({
    kernel: image(img), append, console: (b) => { out += Buffer.from(b).toString('latin1'); },
    vlans: [{ useRxBufferPools: pools, addBuffersHcall }],
  });
  const net = new InProcessBackend({ id: 'n0' });
  p.vlans[0]!.attachBackend(net);
  const back: Uint8Array[] = [];
  net.on('frame', (f: Uint8Array) => back.push(f));
  if (afterReady) while (!out.includes('veth: ready\n')) await p.runAsync({ maxInsns: 1_000_000 });
  net.send(...frames); // held until the device can take them (canReceive, receiveRoom)
  const r = await p.runAsync({ maxInsns: 3_000_000_000 });
  await net.close();
  return { reason: r.reason, exit: p.exitStatus, out, back };
}

describe.skipIf(!hasCpu)('veth guest on pseries-wasm (in-process backend)', () => {
  for (const [img, pools] of [['veth-le.elf', true], ['veth-be.elf', false]] as const) {
    test(`${img}, pools ${pools ? 'on' : 'off'}: 300 frames echoed in order, none lost`, async () => {
      const frames = [...Array.from({ length: 300 }, (_, i) => streamFrame(300, i)), streamFrame(300, STREAM_END)];
      const g = await runGuest(img, 'mode=echo', pools, frames);
      expect(g.reason).toBe('power-off');
      expect(g.exit).toBe(0);
      const r = parseVethResult(g.out);
      expect(r).toMatchObject({ mode: 'echo', rx: 301, bytes: 301 * 300, stream: 300, gaps: 0, dup: 0, end: 1, dropped: 0,
        invalid: 0, tx: 300, txfail: 0 });
      // The frames wait in the backend and arrive as one burst once buffers are posted. Pools: best
      // fit, all 256 buffers of 512 bytes, then the next larger pool. Legacy: ring order, which
      // starts with the 64 KiB buffers (posted first, largest pool first), then 2 KiB ones.
      if (pools) {
        expect(r.pool0).toBe(256);
        expect(r).toMatchObject({ pool1: 45, pool2: 0 });
      } else {
        expect(r).toMatchObject({ pool0: 0, pool1: 45, pool2: 256 });
      }
      expect(g.back.map((f) => streamSeq(f))).toEqual(Array.from({ length: 300 }, (_, i) => i));
    });
  }

  test('QEMU-compatible device (no H_ADD_LOGICAL_LAN_BUFFERS): legacy mode accepts 256 x 64 KiB + 253 x 2 KiB', async () => {
    const g = await runGuest('veth-be.elf', 'count=1', false, [streamFrame(65000, 0)], false);
    expect(g.out).toContain('veth: attributes -2 single-add posted 512:0/256 2048:253/512 65536:256/256 hcalls 528\n');
    // addfail: 2 at open (2 KiB pool at its 254th buffer, 512-byte pool at its first); after the
    // frame the 64 KiB pool is above 7/8, the 2 KiB pool refills the freed slot then fails, the
    // 512-byte pool fails again: 4.
    expect(parseVethResult(g.out)).toMatchObject({ rx: 1, stream: 1, pool2: 1, addfail: 4, dropped: 0 });
  });

  test('200 frames of 65000 bytes sent after open all land in the 64 KiB pool (backend resumes without an empty-device edge)', async () => {
    const frames = [...Array.from({ length: 200 }, (_, i) => streamFrame(65000, i)), streamFrame(65000, STREAM_END)];
    const g = await runGuest('veth-be.elf', 'mode=sink', true, frames, true, true);
    expect(g.reason).toBe('power-off');
    expect(parseVethResult(g.out)).toMatchObject({ rx: 201, bytes: 201 * 65000, stream: 200, gaps: 0, end: 1, dropped: 0,
      pool0: 0, pool1: 0, pool2: 201 });
  });
});
