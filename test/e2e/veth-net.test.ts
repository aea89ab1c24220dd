// End to end: the real CLI (`node bin/pseries-wasm.js`, QEMU syntax) runs the veth guest
// (guests/prebuilt/veth-*.elf, guests/README.md "veth") and moves frames through real backends:
// UDP socket on loopback, TAP inside a network namespace the test creates and deletes, and a
// filter-dump pcap read back with tshark. Assertions are on the guest's one-line result.
import { describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sendStream, streamFrame } from '../tools/frame-sender.js';
import { parseVethResult as result } from '../tools/veth-qemu.js';
import { runVeth } from './veth-cli.js';

const MODES = [['pools', 'on'], ['legacy', 'off']] as const;

/** Sends `sizes[i]` bytes with sequence number i, `gapMs` apart. */
async function sendSizes(sock: import('node:dgram').Socket, sizes: number[], gapMs: number): Promise<void> {
  for (let i = 0; i < sizes.length; i++) {
    await new Promise<void>((r) => sock.send(streamFrame(sizes[i]!, i), () => r()));
    await new Promise((r) => setTimeout(r, gapMs));
  }
}

describe('veth guest over the UDP socket backend', () => {
  test.each(MODES)('%s mode: 3000 frames of 1514 B at 3000/s arrive in order, none lost', async (_mode, pools) => {
    const g = await runVeth({ emulator: 'pseries-wasm', pools, append: 'count=3000' });
    await g.ready;
    await sendStream(g.sock!, { count: 3000, size: 1514, rate: 3000, end: 0 });
    const r = result(await g.exit);
    g.sock!.close();
    expect(r).toMatchObject({ mode: 'sink', rx: 3000, bytes: 3000 * 1514, stream: 3000, gaps: 0, dup: 0, end: 0,
      dropped: 0, invalid: 0, pool0: 0 });
    // Pools mode: best fit, a 2 KiB buffer, or a 64 KiB one when a batch empties the 2 KiB pool
    // before the guest replenishes (papr-vlan.md 4.5). Legacy: first fit in ring order, which holds
    // 64 KiB and 2 KiB buffers only (the 509-slot ring fills largest first).
    expect((r.pool1 as number) + (r.pool2 as number)).toBe(3000);
    if (pools === 'on') expect(r.addfail).toBe(0);
  }, 30_000);

  // Sizes around the fit rule (a buffer takes a frame of at most its length - 8, papr-vlan.md 4.3)
  // and up to the largest UDP datagram.
  const JUMBO = [2040, 2041, 9014, 16384, 32768, 65000, 65507];

  test('pools mode: jumbo frames land in the 64 KiB pool, 2040 B is the last to fit a 2 KiB buffer', async () => {
    const g = await runVeth({ emulator: 'pseries-wasm', pools: 'on', append: `count=${JUMBO.length * 3}` });
    await g.ready;
    const sizes = [...JUMBO, ...JUMBO, ...JUMBO];
    await sendSizes(g.sock!, sizes, 10);
    const r = result(await g.exit);
    g.sock!.close();
    expect(r).toMatchObject({ rx: 21, bytes: sizes.reduce((a, b) => a + b, 0), stream: 21, gaps: 0, dup: 0, dropped: 0,
      pool0: 0, pool1: 3, pool2: 18, addfail: 0, invalid: 0 });
  }, 30_000);

  test('legacy mode, no ring slot over 2 KiB: jumbo frames are dropped and counted, the others arrive', async () => {
    // The guest's pools stop at 2 KiB, so no ring slot fits a jumbo frame: the device waits
    // rx-nofit-timeout (1 ms of guest time here) for a buffer, then drops the frame and counts it
    // at buffer list + 4088 (the guest's `dropped`).
    const g = await runVeth({ emulator: 'pseries-wasm', pools: 'off', append: 'pools=512x256,2048x253',
      deviceProps: 'rx-nofit-timeout=1000' });
    await g.ready;
    const sizes = [1514, ...JUMBO.slice(1).flatMap((s) => [s, 1514])];
    await sendSizes(g.sock!, sizes, 20);
    await new Promise((r) => setTimeout(r, 300));
    g.type('q');
    const r = result(await g.exit);
    g.sock!.close();
    const jumbo = JUMBO.length - 1;
    expect(r).toMatchObject({ rx: jumbo + 1, bytes: (jumbo + 1) * 1514, stream: jumbo + 1, gaps: jumbo, dup: 0, invalid: 0 });
    expect(r.dropped as number).toBeGreaterThanOrEqual(jumbo);
  }, 30_000);
});
