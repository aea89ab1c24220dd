// Replays the inputs of recorded QEMU 7.2 sessions (test/qmp/fixtures/, made by
// scripts/record-qmp-fixture.ts against qemu-system-ppc64 -M pseries -S) and requires our
// server's output to be byte-identical, except the greeting's version and event timestamps.
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QmpServer } from '../../host-ts/qmp/qmp-server.js';
import { FakeTarget } from './fake-target.js';
import { QmpTestClient, maskTimestamps } from './qmp-test-client.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const load = (name: string) => ({
  inputs: JSON.parse(fs.readFileSync(path.join(fixtures, `${name}.inputs.json`), 'utf8')) as string[],
  qemu: JSON.parse(fs.readFileSync(path.join(fixtures, `${name}.qemu.json`), 'utf8')).output as string[],
});

let server: QmpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function replay(name: string, chunked: boolean): Promise<{ ours: string[]; qemu: string[]; target: FakeTarget }> {
  const { inputs, qemu } = load(name);
  const target = new FakeTarget({ startPaused: true }); // recorded with -S
  server = new QmpServer({ target });
  const sock = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qmp-conf-')), 'q.sock');
  await server.listen(`unix:${sock},server=on,wait=off`);
  const c = await QmpTestClient.connect(sock);
  await c.waitLines(1);
  const text = inputs.map((l) => l + '\n').join('');
  if (chunked) {
    // Worst case for the streamer: three bytes at a time, message boundaries anywhere.
    const bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i < bytes.length; i += 3) c.socket.write(bytes.subarray(i, i + 3));
  } else {
    c.send(text);
  }
  await c.waitLines(qemu.length);
  c.close();
  return { ours: c.lines.map(maskTimestamps), qemu: qemu.map(maskTimestamps), target };
}

describe('QMP transcript matches QEMU 7.2', () => {
  for (const chunked of [false, true]) {
    it(`session (negotiation, commands, events, every error) ${chunked ? 'fed 3 bytes at a time' : 'in one write'}`, async () => {
      const { ours, qemu, target } = await replay('session', chunked);
      expect(ours[0]).toBe('{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "pseries-wasm 0.1.0"}, "capabilities": ["oob"]}}');
      expect(ours.slice(1)).toEqual(qemu.slice(1));
      expect(ours.length).toBe(68);
      // The hooks behind the events ran once each: cont, stop, system_reset, quit.
      expect(target.calls).toEqual({ pause: 1, resume: 1, reset: 1, powerOff: 1 });
      expect(target.status()).toBe('shutdown');
    });
  }

  it('run states from prelaunch: stop is a no-op there, reset keeps it, cont, reset while running', async () => {
    const { ours, qemu, target } = await replay('runstate', false);
    expect(ours.slice(1)).toEqual(qemu.slice(1));
    expect(ours.length).toBe(19);
    expect(target.calls).toEqual({ pause: 1, resume: 2, reset: 2, powerOff: 1 });
  });

  it('oob capability: exec-oob accepted as a member, refused for our commands', async () => {
    const { ours, qemu } = await replay('oob', false);
    expect(ours.slice(1)).toEqual(qemu.slice(1));
    expect(ours.length).toBe(7);
  });
});
