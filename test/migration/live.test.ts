// Live migration between two machines in one process over a Unix socket and TCP loopback, with the
// guest writing RAM during pre-copy: at the end the destination equals the source byte for byte.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { migrate, incoming, parseMigrationUri } from '../../host-ts/migration/index.js';
import { isDirtyTracking } from '../../host-ts/migration/dirty.js';
import { makeMachine, randomizeState, fieldDiffs, stateHash } from './helpers.js';
import { GuestWriter } from './guest-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'pseries-mig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const RAM = 8 << 20;

async function liveOnce(listenUri: string, seed: number) {
  const src = makeMachine({ ramSize: RAM, vlans: 2 });
  randomizeState(src, seed);
  const guest = new GuestWriter(src, seed);
  guest.resume();
  const dst = makeMachine({ ramSize: RAM, vlans: 2 });
  const inc = incoming(dst, listenUri);
  const uri = await inc.listening;
  const burstsBefore = guest.bursts;
  const job = migrate(src, uri, { control: guest, batchPages: 128, maxDowntimeMs: 0 });
  const [out, got] = await Promise.all([job.done, inc.done]);
  return { src, dst, guest, out, got, burstsDuring: guest.bursts - burstsBefore };
}

describe('live migration', () => {
  for (const [name, uri] of [['unix socket', () => `unix:${join(dir, 'mig.sock')}`], ['tcp loopback', () => 'tcp:127.0.0.1:0']] as const) {
    test(`${name}: pre-copy while the guest writes, destination equals source`, async () => {
      const { src, dst, guest, out, got, burstsDuring } = await liveOnce(uri(), name.length);
      expect(out.status).toBe('completed');
      expect(got.status).toBe('completed');
      expect(out.errorDesc).toBeUndefined();
      expect(guest.isRunning).toBe(false); // the source stays paused after a completed migration
      expect(burstsDuring).toBeGreaterThan(10); // the guest really ran during pre-copy
      expect(out.ram.dirtySyncCount).toBeGreaterThanOrEqual(1); // and dirtied pages that were re-sent
      expect(out.ram.normal + out.ram.duplicate).toBeGreaterThan(RAM / 4096);
      expect(out.transferredBytes).toBe(got.transferredBytes);
      expect(out.downtimeMs).toBeGreaterThan(0);
      expect(fieldDiffs(src, dst)).toEqual([]);
      expect(stateHash(dst)).toBe(stateHash(src));
      expect(isDirtyTracking(src)).toBe(false);
    });
  }

  test('a destination that refuses: the source keeps running, the destination is untouched', async () => {
    const src = makeMachine({ ramSize: RAM, pools: true });
    randomizeState(src, 3);
    const guest = new GuestWriter(src, 3);
    guest.resume();
    const dst = makeMachine({ ramSize: RAM, pools: false });
    const before = stateHash(dst);
    const inc = incoming(dst, `unix:${join(dir, 'refuse.sock')}`);
    const job = migrate(src, await inc.listening, { control: guest, batchPages: 256 });
    const [out, got] = await Promise.all([job.done, inc.done]);
    expect(got.status).toBe('failed');
    expect(got.errorDesc).toMatch(/^vlan\[0\]\/rx_pools: the stream carries RX buffer pools/);
    expect(out.status).toBe('failed');
    expect(out.errorDesc).toBe(`destination refused the migration: ${got.errorDesc}`);
    expect(guest.isRunning).toBe(true);
    expect(isDirtyTracking(src)).toBe(false);
    expect(stateHash(dst)).toBe(before);
    guest.pause();
  });

  test('a source that goes away mid-stream: destination untouched, source resumed', async () => {
    const src = makeMachine({ ramSize: RAM });
    randomizeState(src, 4);
    const guest = new GuestWriter(src, 4);
    guest.resume();
    const dst = makeMachine({ ramSize: RAM });
    const before = stateHash(dst);
    const inc = incoming(dst, 'tcp:127.0.0.1:0');
    const job = migrate(src, await inc.listening, { control: guest, batchPages: 64 });
    while (job.status().transferredBytes < 1 << 20) await new Promise((r) => setTimeout(r, 1));
    job.cancel();
    const [out, got] = await Promise.all([job.done, inc.done]);
    expect(out.status).toBe('cancelled');
    expect(guest.isRunning).toBe(true);
    expect(got.status).toBe('failed');
    expect(got.errorDesc).toMatch(/^stream: truncated after \d+ bytes/);
    expect(stateHash(dst)).toBe(before);
    guest.pause();
  });

  test('file: migrate to a file, -incoming file: restores it', async () => {
    const src = makeMachine();
    randomizeState(src, 5);
    const path = join(dir, 'snap.bin');
    const out = await migrate(src, `file:${path}`).done;
    expect(out.status).toBe('completed');
    const dst = makeMachine();
    const got = await incoming(dst, `file:${path}`).done;
    expect(got.status).toBe('completed');
    expect(got.transferredBytes).toBe(out.transferredBytes);
    expect(stateHash(dst)).toBe(stateHash(src));
  });

  test('defer: waits for migrate-incoming with the real URI', async () => {
    const src = makeMachine();
    randomizeState(src, 6);
    const dst = makeMachine();
    const inc = incoming(dst, 'defer');
    expect(inc.status().status).toBe('none');
    inc.start(`unix:${join(dir, 'defer.sock')}`);
    const out = await migrate(src, await inc.listening).done;
    expect(out.status).toBe('completed');
    expect((await inc.done).status).toBe('completed');
    expect(stateHash(dst)).toBe(stateHash(src));
  });

  test('URIs: QEMU syntax parsed, mistakes named', () => {
    expect(parseMigrationUri('tcp:localhost:4444')).toEqual({ kind: 'tcp', host: 'localhost', port: 4444 });
    expect(parseMigrationUri('tcp:[::1]:4444')).toEqual({ kind: 'tcp', host: '::1', port: 4444 });
    expect(parseMigrationUri('tcp::4444')).toEqual({ kind: 'tcp', host: '0.0.0.0', port: 4444 });
    expect(parseMigrationUri('unix:/tmp/a b')).toEqual({ kind: 'unix', path: '/tmp/a b' });
    expect(parseMigrationUri('file:/x')).toEqual({ kind: 'file', path: '/x' });
    expect(parseMigrationUri('defer')).toEqual({ kind: 'defer' });
    expect(() => parseMigrationUri('tcp:host')).toThrow("invalid migration URI 'tcp:host': expected tcp:HOST:PORT");
    expect(() => parseMigrationUri('exec:cat')).toThrow("invalid migration URI 'exec:cat': expected tcp:HOST:PORT, unix:PATH, file:PATH or defer");
  });
});

describe('early refusal', () => {
  test('the destination refuses at the header (RAM size): the source reports the destination\'s reason, not EPIPE', async () => {
    const src = makeMachine({ ramSize: RAM });
    const guest = new GuestWriter(src, 8);
    guest.resume();
    const dst = makeMachine({ ramSize: RAM / 2 });
    const inc = incoming(dst, `unix:${join(dir, 'early.sock')}`);
    const out = await migrate(src, await inc.listening, { control: guest, batchPages: 64 }).done;
    const got = await inc.done;
    expect(got.errorDesc).toBe(`header.ramSize: stream carries ${RAM} bytes of guest RAM, the destination has ${RAM / 2} (-m must match)`);
    expect(out.status).toBe('failed');
    expect(out.errorDesc).toBe(`destination refused the migration: ${got.errorDesc}`);
    expect(guest.isRunning).toBe(true);
    guest.pause();
  });
});

describe('auto-converge', () => {
  test('a guest dirtying RAM faster than it is sent is throttled (auto-converge) and the copy is exact', async () => {
    const src = makeMachine({ ramSize: RAM });
    randomizeState(src, 12);
    const guest = new GuestWriter(src, 12, 256); // 256 random pages per turn over 2048 pages
    guest.resume();
    const dst = makeMachine({ ramSize: RAM });
    const inc = incoming(dst, `unix:${join(dir, 'conv.sock')}`);
    const out = await migrate(src, await inc.listening, { control: guest, batchPages: 64, maxDowntimeMs: 0, maxIterations: 12 }).done;
    expect((await inc.done).status).toBe('completed');
    expect(out.status).toBe('completed');
    expect(out.cpuThrottlePercentage).toBeGreaterThanOrEqual(20);
    expect(guest.throttleCalls[0]).toBe(0.2);
    expect(guest.throttleCalls.at(-1)).toBe(0); // released at the end
    expect(stateHash(dst)).toBe(stateHash(src));
  });
});

describe('hostile destination', () => {
  for (const [name, answer, msg] of [
    ['a 4 GiB refusal message', [1, 0xff, 0xff, 0xff, 0xff], 'malformed answer from the destination (4294967295-byte message)'],
    ['an unknown answer byte', [7], 'malformed answer from the destination'],
  ] as const) {
    test(`${name}: the source fails cleanly and keeps running`, async () => {
      const { createServer } = await import('node:net');
      const path = join(dir, `hostile-${answer[0]}.sock`);
      const server = createServer((s) => {
        s.on('data', () => {});
        s.write(Buffer.from(answer));
      });
      await new Promise<void>((r) => server.listen(path, r));
      const src = makeMachine({ ramSize: RAM });
      const guest = new GuestWriter(src, 13);
      guest.resume();
      const out = await migrate(src, `unix:${path}`, { control: guest, maxDowntimeMs: 1e9 }).done;
      server.close();
      expect(out.status).toBe('failed');
      expect(out.errorDesc).toBe(msg);
      expect(guest.isRunning).toBe(true);
      guest.pause();
    });
  }
});
