// End to end: the real CLI (`node bin/pseries-wasm.js`, QEMU syntax) runs the veth guest
// (guests/prebuilt/veth-*.elf, guests/README.md "veth") and moves frames through real backends:
// UDP socket on loopback, TAP inside a network namespace the test creates and deletes, and a
// filter-dump pcap read back with tshark. Assertions are on the guest's one-line result.
import { describe, expect, test } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { createPseries } from '../../host-ts/machine/pseries.js';
import { InProcessBackend } from '../../host-ts/net/in-process-backend.js';
import { sendStream, STREAM_END, streamFrame } from '../tools/frame-sender.js';
import { parseVethResult as result, PREBUILT } from '../tools/veth-qemu.js';
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
  test.each(MODES)('%s mode: 2000 frames of 1514 B at 1000/s arrive in order, none lost', async (_mode, pools) => {
    const g = await runVeth({ emulator: 'pseries-wasm', pools, append: 'count=2000' });
    await g.ready;
    await sendStream(g.sock!, { count: 2000, size: 1514, rate: 1000, end: 0 });
    const r = result(await g.exit);
    g.sock!.close();
    // No frame lost: all 2000, in order. (`dropped` is not asserted: it counts delivery attempts
    // that found no buffer, papr-vlan.md 4.7; a frame retried and then delivered adds 1 there when a
    // descheduled emulator reads a large batch at once.)
    expect(r).toMatchObject({ mode: 'sink', rx: 2000, bytes: 2000 * 1514, stream: 2000, gaps: 0, dup: 0, end: 0,
      invalid: 0, pool0: 0 });
    // Pools mode: best fit, a 2 KiB buffer, or a 64 KiB one when a batch empties the 2 KiB pool
    // before the guest replenishes (papr-vlan.md 4.5). Legacy: first fit in ring order, which holds
    // 64 KiB and 2 KiB buffers only (the 509-slot ring fills largest first).
    expect((r.pool1 as number) + (r.pool2 as number)).toBe(2000);
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
    // The counter counts delivery attempts (papr-vlan.md 4.7): each jumbo frame at least once.
    expect(r.dropped as number).toBeGreaterThanOrEqual(jumbo);
    expect(r.pool0).toBe(0);
    expect(r.pool1).toBe(jumbo + 1);
  }, 30_000);
});

const hasTshark = spawnSync('tshark', ['--version']).status === 0;

describe.skipIf(!hasTshark)('filter-dump pcap read back with tshark', () => {
  test('every frame the guest received, with its exact length and payload', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'veth-pcap-'));
    const pcap = join(dir, 'n0.pcap');
    try {
      const sizes = [46, 60, 100, 1514, 9014, 65000];
      const g = await runVeth({ emulator: 'pseries-wasm', pools: 'on', append: `count=${sizes.length}`,
        extra: ['-object', `filter-dump,id=f0,netdev=n0,file=${pcap}`] });
      await g.ready;
      await sendSizes(g.sock!, sizes, 5);
      const r = result(await g.exit);
      g.sock!.close();
      expect(r).toMatchObject({ rx: 6, stream: 6, gaps: 0, tx: 0, pool0: 3, pool1: 1, pool2: 2 });
      const out = execFileSync('tshark', ['-r', pcap, '-T', 'fields', '-E', 'separator=,',
        '-e', 'frame.len', '-e', 'frame.cap_len', '-e', 'ip.dst', '-e', 'udp.dstport', '-e', 'data.data'],
      { encoding: 'latin1', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 16 << 20 });
      const rows = out.trim().split('\n').map((l) => l.split(','));
      expect(rows.map((x) => x.slice(0, 4))).toEqual(sizes.map((s) => [String(s), String(s), '10.0.2.15', '9']));
      rows.forEach((x, i) => expect(x[4]).toBe(streamFrame(sizes[i]!, i).subarray(42).toString('hex')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 30_000);
});

const isRoot = process.getuid?.() === 0;
const hasTun = existsSync('/dev/net/tun');
const tapSkip = !isRoot ? 'needs root (network namespace, TAP)' : !hasTun ? 'needs /dev/net/tun' : '';

describe.skipIf(tapSkip !== '')(`ping through a TAP in a network namespace${tapSkip ? ` (skipped: ${tapSkip})` : ''}`, () => {
  const ip = (...a: string[]): string => execFileSync('ip', a, { encoding: 'utf8' });

  test.each(MODES)('%s mode: host pings the guest, ARP and 5 echo requests answered', async (_mode, pools) => {
    const ns = `veth-e2e-${process.pid}-${pools}`;
    ip('netns', 'add', ns);
    try {
      const inNs = (...a: string[]): string => ip('netns', 'exec', ns, ...a);
      inNs('ip', 'link', 'set', 'lo', 'up');
      inNs('ip', 'tuntap', 'add', 'dev', 'tap0', 'mode', 'tap');
      inNs('ip', 'addr', 'add', '10.0.2.2/24', 'dev', 'tap0');
      inNs('ip', 'link', 'set', 'tap0', 'up');
      const g = await runVeth({ emulator: 'pseries-wasm', pools, append: 'mode=echo log=1 ip=10.0.2.15',
        netdev: 'tap,id=n0,ifname=tap0,script=no,downscript=no', prefix: ['ip', 'netns', 'exec', ns] });
      await g.ready;
      const ping = (...a: string[]): string => execFileSync('ip', ['netns', 'exec', ns, 'ping', '-n', ...a, '10.0.2.15'],
        { encoding: 'utf8' });
      const small = ping('-c', '3', '-i', '0.2', '-W', '5');
      const big = ping('-c', '2', '-i', '0.2', '-s', '1472', '-W', '5');
      g.type('q');
      const out = await g.exit;
      expect(small).toContain('3 packets transmitted, 3 received, 0% packet loss');
      expect(big).toContain('2 packets transmitted, 2 received, 0% packet loss');
      expect(small.match(/bytes from 10\.0\.2\.15: icmp_seq=\d+ ttl=\d+/g)).toHaveLength(3);
      expect(big.match(/1480 bytes from 10\.0\.2\.15/g)).toHaveLength(2);
      expect(out).toContain('veth: arp who-has 10.0.2.15 from 10.0.2.2');
      expect(out.match(/veth: icmp echo from 10\.0\.2\.2 id \d+ seq \d len 56/g)).toHaveLength(3);
      expect(out.match(/veth: icmp echo from 10\.0\.2\.2 id \d+ seq \d len 1472/g)).toHaveLength(2);
      const r = result(out);
      // `other` counts the IPv6 frames the namespace's stack sends on the TAP.
      expect(r).toMatchObject({ mode: 'echo', arp: 1, icmp: 5, tx: 6, txfail: 0, stream: 0, invalid: 0 });
    } finally {
      ip('netns', 'del', ns);
    }
  }, 30_000);
});

describe('64 KiB frames through the in-process backend (beyond UDP\'s 65507)', () => {
  // Deterministic (virtual time): the guest boots, posts its buffers, then gets the frames. A
  // 64 KiB buffer takes a frame of at most 65528 bytes (length - 8, papr-vlan.md 4.3); 65529 and
  // 65536 fit no buffer in either mode and are dropped after rx-nofit-timeout (papr-vlan.md Q3).
  const SIZES = [65000, 65528, 65536, 65529, 65528];

  async function run(pools: boolean, append: string) {
    let out = '';
    const p = createPseries({
      kernel: new Uint8Array(readFileSync(join(PREBUILT, 'veth-be.elf'))), append,
      console: (b) => { out += Buffer.from(b).toString('latin1'); }, vlans: [{ useRxBufferPools: pools }],
    });
    const net = new InProcessBackend({ id: 'n0' });
    p.vlans[0]!.attachBackend(net);
    while (!out.includes('veth: ready\n')) await p.runner.run({ maxInsns: 1_000_000 });
    net.send(...SIZES.map((s, i) => streamFrame(s, i)), streamFrame(100, STREAM_END));
    const r = await p.runner.run({ maxInsns: 3_000_000_000 });
    await net.close();
    expect(r.reason).toBe('power-off');
    return { guest: result(out), dev: p.vlans[0]!.counters() };
  }

  test.each([['pools', true], ['legacy', false]] as const)('%s mode: up to 65528 B in 64 KiB buffers, larger dropped and counted', async (_m, pools) => {
    const { guest, dev } = await run(pools, 'mode=sink');
    expect(guest).toMatchObject({ rx: 4, bytes: 65000 + 65528 * 2 + 100, stream: 3, gaps: 2, end: 1, invalid: 0 });
    // The 100-byte end marker: best fit (a 512-byte buffer) in pools mode; in legacy mode the
    // next slot in ring order, a 64 KiB buffer (the ring fills largest pool first).
    expect(guest).toMatchObject(pools ? { pool0: 1, pool1: 0, pool2: 3 } : { pool0: 0, pool1: 0, pool2: 4 });
    expect(dev.rxOversizeDropped).toBe(2n);
    expect(dev.rxFrames).toBe(4n);
    expect(guest.dropped as number).toBeGreaterThanOrEqual(2);
    expect(BigInt(guest.dropped as number)).toBe(dev.rxNoFit + dev.rxNoBuffer);
  }, 30_000);

  test('legacy mode, ring without 64 KiB buffers: every jumbo frame dropped and counted', async () => {
    const { guest, dev } = await run(false, 'mode=sink pools=512x256,2048x253');
    expect(guest).toMatchObject({ rx: 1, bytes: 100, stream: 0, end: 1 });
    expect('pool2' in guest).toBe(false); // two pools only
    expect(dev.rxOversizeDropped).toBe(5n);
    expect(BigInt(guest.dropped as number)).toBe(dev.rxNoFit + dev.rxNoBuffer);
    expect(guest.dropped as number).toBeGreaterThanOrEqual(5);
  }, 30_000);
});
