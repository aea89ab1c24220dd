// The veth guest on the reference, qemu-system-ppc64 7.2 (skipped when it is not installed):
// UDP socket backend on loopback, moderate rates so nothing is lost on a loaded host.
// The same scenarios are meant to run against pseries-wasm with the same image and tools.
import { describe, expect, test } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { receiveStream, sendStream, streamFrame, streamSeq, STREAM_END } from '../tools/frame-sender.js';
import { bootVethOnQemu, hasQemu, parseVethResult as result, PREBUILT } from '../tools/veth-qemu.js';

const boot = (image: string, pools: 'on' | 'off', append: string) => bootVethOnQemu({ image, pools, append });

describe.skipIf(!hasQemu())('veth guest on QEMU 7.2', () => {
  test('pools mode, LE: 200 stream frames echoed back, buffers from the 512-byte pool', async () => {
    const g = await boot('veth-le.elf', 'on', 'mode=echo idle=1');
    await g.ready;
    const back = receiveStream(g.sock, 3000);
    await sendStream(g.sock, { count: 200, size: 300, rate: 400, end: 3 });
    const r = result(await g.exit);
    const b = await back;
    g.sock.close();
    // The guest stops at the first end marker; the other two may arrive in the same poll batch.
    const end = r.end as number;
    expect(end).toBeGreaterThanOrEqual(1);
    expect(r).toMatchObject({ mode: 'echo', rx: 200 + end, bytes: (200 + end) * 300, stream: 200, gaps: 0, dup: 0, dropped: 0,
      pool0: 200 + end, pool1: 0, pool2: 0, addfail: 0, invalid: 0, tx: 200, txfail: 0 });
    expect(b).toMatchObject({ frames: 200, bytes: 200 * 300, stream: 200, gaps: 0, dup: 0 });
  });

  test('legacy mode, BE: the ring takes 64 KiB and 2 KiB buffers only; jumbo frames land in 64 KiB buffers', async () => {
    const g = await boot('veth-be.elf', 'off', 'count=20 idle=2');
    await g.ready;
    await sendStream(g.sock, { count: 20, size: 65000, rate: 40, end: 0 });
    const out = await g.exit;
    g.sock.close();
    expect(out).toContain('posted 512:0/256 2048:253/512 65536:256/256');
    // The host's UDP receive buffer holds only ~3 datagrams of 65000 bytes: a stalled QEMU on a busy
    // host loses some before the device sees them. Every frame that arrives must be in a 64 KiB buffer.
    const r = result(out);
    const rx = r.rx as number;
    expect(rx).toBeGreaterThanOrEqual(10);
    expect(r).toMatchObject({ bytes: rx * 65000, stream: rx, dup: 0, end: 0, dropped: 0, pool0: 0, pool1: 0, pool2: rx, invalid: 0 });
  });

  test('send mode: the guest transmits exactly the frames the tool would build', async () => {
    const g = await boot('veth-be.elf', 'on', 'mode=send count=50 size=1000 ip=10.0.2.15 peer=10.0.2.2');
    const frames: Buffer[] = [];
    g.sock.on('message', (f: Buffer) => frames.push(Buffer.from(f)));
    const r = result(await g.exit);
    await new Promise((res) => setTimeout(res, 300)); // QEMU sent them before it exited; let the socket drain
    g.sock.close();
    expect(r).toMatchObject({ mode: 'send', tx: 53, txfail: 0 });
    expect(frames.length).toBe(53);
    const mac = Uint8Array.of(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);
    frames.forEach((f, i) => {
      const seq = i < 50 ? i : STREAM_END;
      expect(streamSeq(f)).toBe(seq);
      expect(f.equals(streamFrame(1000, seq, { srcMac: mac, srcIp: '10.0.2.15', dstIp: '10.0.2.2' }))).toBe(true);
    });
  });

  test('no traffic: start-up output equals the stored reference (test/guests/data, regen-qemu.sh)', async () => {
    const run = (image: string, pools: string): Promise<string> => new Promise((resolve, reject) => {
      const q = spawn('qemu-system-ppc64', ['-M', 'pseries,x-vof=on', '-m', '512M', '-nodefaults', '-nographic', '-serial', 'stdio',
        '-kernel', join(PREBUILT, image), '-append', 'timeout=1', '-device', `spapr-vlan,use-rx-buffer-pools=${pools}`],
      { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      q.stdout.on('data', (d: Buffer) => { out += d.toString('latin1'); });
      q.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`qemu exit ${code}`))));
    });
    const cases = [['veth-be-pools', 'veth-be.elf', 'on'], ['veth-le-legacy', 'veth-le.elf', 'off']] as const;
    const outs = await Promise.all(cases.map(([, image, pools]) => run(image, pools)));
    cases.forEach(([name], i) => {
      expect(outs[i]).toBe(readFileSync(join(__dirname, 'data', `qemu-${name}.out`), 'latin1'));
    });
  });
});
