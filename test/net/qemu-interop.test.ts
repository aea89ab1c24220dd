// Our socket backends against QEMU 7.2's own: QEMU (no guest, -M none) joins one of its
// socket netdevs to another with a hub, so every frame our UDP backend sends must come out of
// our stream backend after crossing QEMU's readers and writers, and the reverse. This checks
// the wire formats (datagram = frame; 4-byte big-endian length + frame) against the reference.
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { UdpBackend } from '../../host-ts/net/udp-backend.js';
import { StreamBackend } from '../../host-ts/net/stream-backend.js';
import type { NetBackend } from '../../host-ts/net/net-port.js';
import { FakePort, seqFrame, seqOf, sleep } from './fake-port.js';
import { until as waitUntil } from '../support/until.js';

const QEMU = 'qemu-system-ppc64';
const hasQemu = spawnSync(QEMU, ['--version']).status === 0;
const LO = '127.0.0.1';

let cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

function startQemu(netdevs: string[]): ChildProcess {
  const args = ['-M', 'none', '-nodefaults', '-display', 'none', '-monitor', 'none'];
  for (const n of netdevs) args.push('-netdev', n);
  args.push('-netdev', 'hubport,id=h1,hubid=0,netdev=a', '-netdev', 'hubport,id=h2,hubid=0,netdev=b');
  const q = spawn(QEMU, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  q.stderr!.on('data', (d) => { err += d; });
  cleanup.push(() => new Promise<void>((ok) => {
    if (q.exitCode !== null) return ok();
    q.once('exit', () => ok());
    q.kill('SIGTERM');
  }));
  q.once('exit', (code) => { if (code) console.error(`qemu exited ${code}: ${err}`); });
  return q;
}

/** A free UDP/TCP port number (bound then released). */
async function freeUdpPort(): Promise<number> {
  const b = await UdpBackend.open({ id: 'probe', local: { host: LO, port: 0 }, remote: { host: LO, port: 9 } });
  const p = b.address().port;
  await b.close();
  return p;
}

const until = (cond: () => boolean, ms = 5000) => waitUntil(cond, 'condition', ms, 5);

/** True once something listens on 127.0.0.1:port (read from /proc, so no probe connection is made). */
function listening(port: number): boolean {
  const hex = `0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8').split('\n').some((l) => l.includes(hex) && / 0A /.test(l));
}

/** Sends frames from `from` in bursts and checks `to`'s port gets them all, in order, intact. */
async function pass(from: NetBackend, to: FakePort, frames: Buffer[]): Promise<void> {
  const base = to.got.length;
  for (let i = 0; i < frames.length; i++) {
    from.transmit(frames[i]);
    // Small bursts: a burst of 64 KiB datagrams would overflow a default UDP receive buffer.
    if (i % 4 === 3) await to.waitFor(base + i + 1);
  }
  await to.waitFor(base + frames.length);
  const got = to.got.slice(base);
  expect(got.map(seqOf)).toEqual(frames.map(seqOf));
  got.forEach((g, i) => expect(g.equals(frames[i])).toBe(true));
}

const mix = (base: number) => Array.from({ length: 48 }, (_, i) => seqFrame(base + i, [60, 1514, 9000, 65000][i % 4]));

describe.skipIf(!hasQemu)(`interop with QEMU 7.2's socket backends${hasQemu ? '' : ' (skipped: qemu-system-ppc64 not installed)'}`, () => {
  it('socket,udp= and socket,connect= (QEMU connects to our listening stream)', async () => {
    const qemuUdp = await freeUdpPort();
    const udp = await UdpBackend.open({ id: 'u', local: { host: LO, port: 0 }, remote: { host: LO, port: qemuUdp } });
    cleanup.push(() => udp.close());
    const stream = await StreamBackend.open({ id: 's', server: true, addr: { type: 'inet', host: LO, port: 0 } });
    cleanup.push(() => stream.close());
    const udpPort = new FakePort();
    const streamPort = new FakePort();
    udp.attach(udpPort);
    stream.attach(streamPort);
    startQemu([
      `socket,id=a,udp=${LO}:${udp.address().port},localaddr=${LO}:${qemuUdp}`,
      `socket,id=b,connect=${LO}:${(stream.address() as AddressInfo).port}`,
    ]);
    await until(() => stream.connected);
    await pass(udp, streamPort, mix(0));
    await pass(stream, udpPort, mix(1000));
  });

  it('dgram and stream,server=on (QEMU 7.2 spellings; our stream connects)', async () => {
    const qemuUdp = await freeUdpPort();
    const qemuTcp = await freeUdpPort();
    const udp = await UdpBackend.open({ id: 'u', local: { host: LO, port: 0 }, remote: { host: LO, port: qemuUdp } });
    cleanup.push(() => udp.close());
    startQemu([
      `dgram,id=a,local.type=inet,local.host=${LO},local.port=${qemuUdp},remote.type=inet,remote.host=${LO},remote.port=${udp.address().port}`,
      `stream,id=b,server=on,addr.type=inet,addr.host=${LO},addr.port=${qemuTcp}`,
    ]);
    await until(() => listening(qemuTcp));
    const stream = await StreamBackend.open({ id: 's', server: false, addr: { type: 'inet', host: LO, port: qemuTcp } });
    cleanup.push(() => stream.close());
    const udpPort = new FakePort();
    const streamPort = new FakePort();
    udp.attach(udpPort);
    stream.attach(streamPort);
    await until(() => stream.connected);
    await pass(stream, udpPort, mix(2000));
    await pass(udp, streamPort, mix(3000));
  });
});
