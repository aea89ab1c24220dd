// QMP server over Unix sockets and TCP loopback: each command, event order, errors, queued
// clients, quit, robustness against hostile input.
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { QmpServer } from '../../host-ts/qmp/qmp-server.js';
import { FakeTarget } from './fake-target.js';
import { QmpTestClient } from './qmp-test-client.js';
import { MAX_MESSAGE_CHARS, MAX_NESTING } from '../../host-ts/qmp/json-stream.js';

let server: QmpServer | undefined;
const clients: QmpTestClient[] = [];
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  await server?.close();
  server = undefined;
});

const tmpSock = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qmp-')), 'm.sock');

async function start(target = new FakeTarget(), spec?: string): Promise<{ where: string | number; target: FakeTarget }> {
  server = new QmpServer({ target });
  const sock = tmpSock();
  await server.listen(spec ?? `unix:${sock},server=on,wait=off`);
  const where = spec?.startsWith('tcp:') ? (server.boundAddress as number) : spec ? spec.slice(5).split(',')[0] : sock;
  return { where, target };
}

async function negotiated(where: string | number): Promise<QmpTestClient> {
  const c = await QmpTestClient.connect(where);
  clients.push(c);
  await c.waitLines(1);
  const { answer } = await c.execute('qmp_capabilities');
  expect(answer).toEqual({ return: {} });
  return c;
}

describe.each([
  ['unix', (s: string) => `unix:${s},server=on,wait=off`],
  ['unix (old server,nowait spelling)', (s: string) => `unix:${s},server,nowait`],
  ['tcp loopback', () => 'tcp:127.0.0.1:0,server=on,wait=off'],
])('QMP over %s', (_name, spec) => {
  it('greets, negotiates and answers every command', async () => {
    const sock = tmpSock();
    const { where, target } = await start(new FakeTarget(), spec(sock));
    const c = await QmpTestClient.connect(where);
    clients.push(c);
    expect(await c.waitLines(1)).toEqual([
      '{"QMP": {"version": {"qemu": {"micro": 0, "minor": 2, "major": 7}, "package": "pseries-wasm 0.1.0"}, "capabilities": ["oob"]}}',
    ]);
    expect((await c.execute('query-status')).answer).toEqual({
      error: { class: 'CommandNotFound', desc: "Expecting capabilities negotiation with 'qmp_capabilities'" },
    });
    expect((await c.execute('qmp_capabilities', undefined, 'n')).answer).toEqual({ return: {}, id: 'n' });
    expect((await c.execute('query-version')).answer).toEqual({
      return: { qemu: { micro: 0, minor: 2, major: 7 }, package: 'pseries-wasm 0.1.0' },
    });
    expect((await c.execute('query-status', undefined, 1)).answer).toEqual({
      return: { status: 'running', singlestep: false, running: true }, id: 1,
    });
    expect((await c.execute('query-commands')).answer).toEqual({
      return: ['qmp_capabilities', 'query-version', 'query-status', 'stop', 'cont', 'system_reset', 'quit',
        'query-commands', 'query-vlan-stats', 'migrate', 'query-migrate'].map((name) => ({ name })),
    });
    expect(target.calls).toEqual({ pause: 0, resume: 0, reset: 0, powerOff: 0 });
  });
});

describe('QMP commands and events', () => {
  it('stop / cont: event before the answer, no event when nothing changes, hooks called once', async () => {
    const { where, target } = await start();
    const c = await negotiated(where);
    const from = c.lines.length;
    await c.execute('stop', undefined, 's1');
    await c.execute('stop', undefined, 's2');
    await c.execute('cont', undefined, 'c1');
    await c.execute('cont', undefined, 'c2');
    const msgs = c.messages(from);
    expect(msgs.map((m) => m.event ?? m.id)).toEqual(['STOP', 's1', 's2', 'RESUME', 'c1', 'c2']);
    for (const m of msgs.filter((x) => x.event)) {
      expect(Object.keys(m)).toEqual(['timestamp', 'event']);
      expect(Number.isInteger(m.timestamp.seconds) && Number.isInteger(m.timestamp.microseconds)).toBe(true);
      expect(m.timestamp.microseconds).toBeLessThan(1_000_000);
      expect(Math.abs(m.timestamp.seconds - Date.now() / 1000)).toBeLessThan(5);
    }
    expect(target.calls).toEqual({ pause: 1, resume: 1, reset: 0, powerOff: 0 });
    expect((await c.execute('query-status')).answer.return).toEqual({ status: 'running', singlestep: false, running: true });
  });

  it('system_reset emits RESET; a paused machine waits in prelaunch', async () => {
    const { where, target } = await start();
    const c = await negotiated(where);
    await c.execute('stop');
    const { events } = await c.execute('system_reset');
    expect(events.map((e) => [e.event, e.data])).toEqual([['RESET', { guest: false, reason: 'host-qmp-system-reset' }]]);
    expect((await c.execute('query-status')).answer.return.status).toBe('prelaunch');
    expect(target.calls.reset).toBe(1);
  });

  it('events are not sent before negotiation', async () => {
    const { where, target } = await start();
    const c = await QmpTestClient.connect(where);
    clients.push(c);
    await c.waitLines(1);
    target.stop(); // e.g. the guest paused itself
    await c.execute('qmp_capabilities');
    target.cont();
    await c.waitLines(3);
    expect(c.messages(1).map((m) => m.event ?? 'answer')).toEqual(['answer', 'RESUME']);
  });

  it('guest shutdown: SHUTDOWN {guest: true}, then cont needs a reset', async () => {
    const { where, target } = await start();
    const c = await negotiated(where);
    target.rs.shutdown('guest-shutdown');
    const { answer, events } = await c.execute('cont');
    expect(events.map((e) => [e.event, e.data])).toEqual([['SHUTDOWN', { guest: true, reason: 'guest-shutdown' }]]);
    expect(answer).toEqual({ error: { class: 'GenericError', desc: 'Resetting the Virtual Machine is required' } });
    await c.execute('system_reset');
    expect((await c.execute('query-status')).answer.return.status).toBe('prelaunch');
    expect((await c.execute('cont')).events.map((e) => e.event)).toEqual(['RESUME']);
  });

  it('query-vlan-stats: per device (sorted by unit address) and per pool, exact 64-bit counters', async () => {
    const { where } = await start();
    const c = await negotiated(where);
    await c.execute('query-vlan-stats', undefined, 9);
    expect(c.lines.at(-1)).toBe(
      '{"return": [' +
        '{"device": "net0", "unit-address": 1895825408, "mac": "52:54:00:12:34:56", "open": true, "rx-buffer-pools": true, "rx-buffers": 96, ' +
        '"counters": {"rx-frames": 1000, "rx-bytes": 1514000, "rx-no-buffer": 3, "tx-frames": 12, "tx-bytes": 1152921504606846976}, ' +
        '"pools": [{"index": 0, "buffer-size": 512, "buffers": 64, "counters": {"hits": 900, "fallbacks": 1}}, ' +
        '{"index": 1, "buffer-size": 2048, "buffers": 32, "counters": {"hits": 100, "fallbacks": 2}}], "buffer-sizes": []}, ' +
        '{"device": "net1", "unit-address": 1895825409, "mac": "52:54:00:12:34:57", "open": false, "rx-buffer-pools": false, "rx-buffers": 0, ' +
        '"counters": {"rx-frames": 0, "rx-bytes": 0, "rx-no-buffer": 0, "tx-frames": 0, "tx-bytes": 0}, "pools": [], ' +
        '"buffer-sizes": [{"size": 1536, "counters": {"posted": 10, "hits": 0}}]}' +
        '], "id": 9}',
    );
  });

  it('migrate / query-migrate call the migration engine; its errors become GenericError', async () => {
    const { where, target } = await start();
    const c = await negotiated(where);
    expect((await c.execute('query-migrate')).answer).toEqual({ return: {} });
    expect((await c.execute('migrate', { uri: 'tcp:127.0.0.1:4444', detach: true })).answer).toEqual({ return: {} });
    expect(target.migrations).toEqual([{ uri: 'tcp:127.0.0.1:4444', opts: { detach: true, resume: undefined } }]);
    expect((await c.execute('query-migrate')).answer).toEqual({ return: { status: 'completed', 'total-time': 5 } });
    expect((await c.execute('migrate', { uri: 'bogus' })).answer).toEqual({
      error: { class: 'GenericError', desc: "Parameter 'uri' expects a valid migration protocol" },
    });
    expect((await c.execute('migrate', { uri: 'x', detach: 1 })).answer).toEqual({
      error: { class: 'GenericError', desc: "Invalid parameter type for 'detach', expected: boolean" },
    });
    expect(target.migrations.length).toBe(1);
  });

  it('without a migration engine: migrate is not a command, query-migrate answers {}', async () => {
    const { where } = await start(new FakeTarget({ migration: false }));
    const c = await negotiated(where);
    expect((await c.execute('migrate', { uri: 'tcp:1.2.3.4:5' })).answer).toEqual({
      error: { class: 'CommandNotFound', desc: 'The command migrate has not been found' },
    });
    expect((await c.execute('query-migrate')).answer).toEqual({ return: {} });
    const names = (await c.execute('query-commands')).answer.return.map((x: { name: string }) => x.name);
    expect(names).not.toContain('migrate');
  });

  it('quit: SHUTDOWN, the answer, then the socket closes, the socket file goes and the server reports quit', async () => {
    const { where, target } = await start();
    const c = await negotiated(where);
    const quit = new Promise((r) => server!.once('quit', r));
    const { answer, events } = await c.execute('quit', undefined, 'bye');
    expect(events.map((e) => [e.event, e.data])).toEqual([['SHUTDOWN', { guest: false, reason: 'host-qmp-quit' }]]);
    expect(answer).toEqual({ return: {}, id: 'bye' });
    await c.closedPromise();
    await quit;
    expect(fs.existsSync(where as string)).toBe(false);
    expect(target.status()).toBe('shutdown');
    expect(target.calls.powerOff).toBe(1);
  });
});

describe('QMP clients and transports', () => {
  for (const kind of ['unix', 'tcp'] as const) {
    it(`${kind}: a second client waits unanswered until the first leaves, then gets its own session`, async () => {
      const { where, target } = await start(new FakeTarget(), kind === 'tcp' ? 'tcp:127.0.0.1:0,server=on,wait=off' : undefined);
      const a = await negotiated(where);
      const b = await QmpTestClient.connect(where);
      clients.push(b);
      b.send('{"execute":"qmp_capabilities"}\n{"execute":"query-status","id":"b"}\n');
      await a.execute('stop');
      await new Promise((r) => setTimeout(r, 100));
      expect(b.lines).toEqual([]); // no greeting, no answers, no events while a is connected
      a.close();
      const lines = await b.waitLines(3);
      expect(JSON.parse(lines[0]).QMP.capabilities).toEqual(['oob']);
      expect(lines.slice(1)).toEqual(['{"return": {}}', '{"return": {"status": "paused", "singlestep": false, "running": false}, "id": "b"}']);
      // The first client's negotiation does not carry over, events go to the new client only.
      target.cont();
      expect((await b.execute('query-status')).events.map((e) => e.event)).toEqual(['RESUME']);
      b.close();
      const c = await QmpTestClient.connect(where);
      clients.push(c);
      await c.waitLines(1);
      expect((await c.execute('stop')).answer.error.class).toBe('CommandNotFound');
    });
  }

  it('wait=on: listen resolves once a client has connected', async () => {
    server = new QmpServer({ target: new FakeTarget() });
    const sock = tmpSock();
    let listening = false;
    const p = server.listen(`unix:${sock},server=on,wait=on`).then(() => (listening = true));
    for (let i = 0; i < 100 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    expect(listening).toBe(false);
    const c = await QmpTestClient.connect(sock);
    clients.push(c);
    await p;
    expect(listening).toBe(true);
  });

  it('replaces a stale socket file but refuses to remove a regular file', async () => {
    const sock = tmpSock();
    const s1 = new QmpServer({ target: new FakeTarget() });
    await s1.listen(`unix:${sock},server=on,wait=off`);
    // Simulate a crashed process: the socket file stays behind.
    const net = await import('node:net');
    const crashed = net.createServer().listen(sock + '2');
    await new Promise((r) => crashed.once('listening', r));
    await s1.close();
    server = new QmpServer({ target: new FakeTarget() });
    await server.listen(`unix:${sock},server=on,wait=off`);
    const c = await QmpTestClient.connect(sock);
    clients.push(c);
    expect((await c.waitLines(1))[0]).toContain('"QMP"');
    crashed.close();
    const file = path.join(path.dirname(sock), 'plain');
    fs.writeFileSync(file, 'keep me');
    const s2 = new QmpServer({ target: new FakeTarget() });
    await expect(s2.listen(`unix:${file},server=on,wait=off`)).rejects.toThrow(/EADDRINUSE/);
    expect(fs.readFileSync(file, 'utf8')).toBe('keep me');
    await s2.close();
  });
});

describe('QMP robustness', () => {
  it('oversized and over-nested messages get one error each and the session goes on', async () => {
    const { where } = await start();
    const c = await negotiated(where);
    const from = c.lines.length;
    c.send('['.repeat(MAX_NESTING + 1) + ']'.repeat(MAX_NESTING + 1) + '\n');
    c.send(`{"execute":"query-status","id":"${'x'.repeat(MAX_MESSAGE_CHARS)}"}\n`);
    await c.waitLines(from + 2);
    const { answer } = await c.execute('query-status', undefined, 'alive');
    expect(answer.id).toBe('alive');
    expect(c.messages(from).slice(0, -1)).toEqual([
      { error: { class: 'GenericError', desc: 'JSON nesting depth limit exceeded' } },
      { error: { class: 'GenericError', desc: 'JSON token size limit exceeded' } },
    ]);
  });

  it('multi-byte UTF-8 split across packets and a message split across writes', async () => {
    const { where } = await start();
    const c = await negotiated(where);
    const bytes = Buffer.from('{"execute":"query-status","id":"é😀"}\n', 'utf8');
    for (let i = 0; i < bytes.length; i++) {
      c.socket.write(bytes.subarray(i, i + 1));
      await new Promise((r) => setImmediate(r));
    }
    const [line] = (await c.waitLines(3)).slice(2);
    expect(line).toBe('{"return": {"status": "running", "singlestep": false, "running": true}, "id": "\\u00E9\\uD83D\\uDE00"}');
  });

  it('a target that throws yields GenericError with its message, the connection stays', async () => {
    const target = new FakeTarget();
    target.vlanStats = () => {
      throw new Error('device state unavailable');
    };
    const { where } = await start(target);
    const c = await negotiated(where);
    expect((await c.execute('query-vlan-stats', undefined, 4)).answer).toEqual({
      id: 4, error: { class: 'GenericError', desc: 'device state unavailable' },
    });
    expect((await c.execute('query-status')).answer.return.running).toBe(true);
  });

  it('random garbage never crashes the server', async () => {
    const { where } = await start();
    const c = await negotiated(where);
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const alphabet = '{}[],:"\'\\ \nabtrue01-.eé@';
    let junk = '';
    for (let i = 0; i < 20000; i++) junk += alphabet[Math.floor(rnd() * alphabet.length)];
    c.send(junk);
    // Close whatever is open, then one good command must be answered.
    c.send('"' + ']}'.repeat(MAX_NESTING) + '\n{"execute":"query-status","id":"end"}\n');
    for (let n = c.lines.length + 1; ; n++) {
      await c.waitLines(n);
      if (c.lines.at(-1)!.endsWith('"id": "end"}')) break;
    }
    for (const l of c.lines) expect(() => JSON.parse(l)).not.toThrow();
  });
});

describe('QMP backpressure', () => {
  it('a client that sends without reading does not make the server buffer without bound', async () => {
    const { where } = await start();
    const c = await negotiated(where);
    c.socket.pause(); // stop reading answers
    const cmd = '{"execute":"query-vlan-stats"}\n'.repeat(2000);
    for (let i = 0; i < 20; i++) c.socket.write(cmd);
    await new Promise((r) => setTimeout(r, 300));
    // The server's socket stopped reading: its pending output stays around the highWaterMark, not 40000 answers.
    const active = (server as any).active.socket as import('node:net').Socket;
    expect(active.isPaused()).toBe(true);
    expect(active.writableLength).toBeLessThan(4 << 20);
    c.socket.resume();
    const before = c.lines.length;
    await c.waitLines(before + 1);
    expect(JSON.parse(c.lines[before]).return.length).toBe(2);
  });
});
