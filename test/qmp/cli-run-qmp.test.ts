// The pseries-wasm command under control: -S -qmp -metrics on the real machine. The metrics
// endpoint answers while the guest waits in prelaunch, QMP quit ends the command with status 0,
// a second -qmp on a busy port fails start-up with one line.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { main } from '../../host-ts/cli/main.js';
import { QmpTestClient } from './qmp-test-client.js';

const HELLO = path.join(import.meta.dirname, '../../guests/prebuilt/hello-be.bin');
const tmpDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'pw-qmp-'));

async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function connectWhenReady(sock: string): Promise<QmpTestClient> {
  for (let i = 0; i < 1500; i++) {
    try {
      return await QmpTestClient.connect(sock);
    } catch {
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  throw new Error('QMP socket never appeared');
}

describe('pseries-wasm -S -qmp -metrics', () => {
  it('metrics scrape while paused, NIC telemetry by -device id, quit exits 0', async () => {
    const dir = tmpDir();
    const sock = path.join(dir, 'q.sock');
    const port = await freePort();
    let err = '';
    const done = main(['-nodefaults', '-S', '-qmp', `unix:${sock},server=on,wait=off`, '-metrics', `tcp:127.0.0.1:${port}`,
      '-bios', HELLO, '-serial', `file:${path.join(dir, 'con.txt')}`,
      '-netdev', 'socket,id=n0,udp=127.0.0.1:9,localaddr=127.0.0.1:0', '-device', 'spapr-vlan,netdev=n0,id=lan0'],
    { stdout: () => {}, stderr: (s) => { err += s; } });
    const c = await connectWhenReady(sock);
    await c.waitLines(1);
    await c.execute('qmp_capabilities');
    expect((await c.execute('query-status')).answer.return.status).toBe('prelaunch');
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(text).toContain('pseries_vlan_open{device="lan0"} 0\n');
    expect(text).toContain('pseries_machine_running 0\n');
    expect(text).toContain('pseries_cpu_instructions_total 0\n'); // -S: not one instruction yet
    expect(text).toContain('pseries_vlan_tx_frames_total{device="lan0"} 0\n');
    expect((await c.execute('quit')).answer).toEqual({ return: {} });
    expect(await done).toBe(0);
    await c.closedPromise();
    expect(err).toBe('');
    await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
  });

  it('a busy -metrics port: one line naming the option, exit 1', async () => {
    const dir = tmpDir();
    const busy = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => busy.once('listening', r));
    const port = (busy.address() as net.AddressInfo).port;
    let err = '';
    const rc = await main(['-nodefaults', '-S', '-qmp', `unix:${path.join(dir, 'q.sock')},server=on,wait=off`, '-metrics', `tcp:127.0.0.1:${port}`, '-bios', HELLO],
      { stdout: () => {}, stderr: (s) => { err += s; } });
    busy.close();
    expect(rc).toBe(1);
    expect(err).toMatch(/^pseries-wasm: -metrics: .*EADDRINUSE.*\n$/);
    expect(fs.existsSync(path.join(dir, 'q.sock'))).toBe(false);
  });
});

describe('pseries-wasm and signals', () => {
  it('SIGTERM: QMP clients get SHUTDOWN host-signal, the command exits 0', async () => {
    const { spawn } = await import('node:child_process');
    const dir = tmpDir();
    const sock = path.join(dir, 'q.sock');
    const bin = path.join(import.meta.dirname, '../../bin/pseries-wasm.js');
    const child = spawn(process.execPath, [bin, '-nodefaults', '-S', '-qmp', `unix:${sock},server=on,wait=off`, '-bios', HELLO], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const c = await connectWhenReady(sock);
    await c.waitLines(1);
    await c.execute('qmp_capabilities');
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await c.closedPromise();
    expect(c.messages().filter((m) => m.event).map((m) => [m.event, m.data])).toEqual([['SHUTDOWN', { guest: false, reason: 'host-signal' }]]);
    expect(err).toBe('');
  }, 30_000);
});
