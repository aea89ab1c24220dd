// migrate / query-migrate through MachineQmpTarget with a scripted migration engine: run-state
// changes and events as QEMU (STOP, finish-migrate, postmigrate; RESUME after a failure), the
// MigrationInfo shape, one migration at a time.
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MachineQmpTarget } from '../../host-ts/qmp/machine-target.js';
import { QmpServer } from '../../host-ts/qmp/qmp-server.js';
import type { MigrationControl } from '../../host-ts/qmp/migration-hooks.js';
import type { MigrationStatus } from '../../host-ts/migration/status.js';
import { QmpTestClient } from './qmp-test-client.js';

function status(s: Partial<MigrationStatus>): MigrationStatus {
  return {
    status: 'active', totalTimeMs: 0, transferredBytes: 0,
    ram: { total: 1 << 28, transferred: 0, normal: 0, duplicate: 0, dirtyPagesRate: 0, dirtySyncCount: 0, remaining: 0 },
    ...s,
  };
}

/** An engine whose job the test finishes by hand. */
function scriptedEngine() {
  const jobs: { uri: string; control: MigrationControl; st: MigrationStatus; finish(st: MigrationStatus): void }[] = [];
  const start = (uri: string, control: MigrationControl) => {
    let finish!: (st: MigrationStatus) => void;
    const done = new Promise<MigrationStatus>((r) => (finish = r));
    const job = { uri, control, st: status({ status: 'setup' }), finish: (st: MigrationStatus) => { job.st = st; finish(st); } };
    jobs.push(job);
    return { status: () => job.st, done };
  };
  return { jobs, start };
}

let server: QmpServer | undefined;
let client: QmpTestClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
});

async function setup() {
  const engine = scriptedEngine();
  const calls: string[] = [];
  const target = new MachineQmpTarget({
    reset: () => {},
    runner: { pause: () => calls.push('pause'), resume: () => calls.push('resume') },
    startMigration: engine.start,
    validateMigrationUri: (uri) => {
      if (!/^(tcp|unix|file):/.test(uri)) throw new Error("Parameter 'uri' expects a valid migration protocol");
    },
  });
  server = new QmpServer({ target });
  const sock = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qmp-mig-')), 'q.sock');
  await server.listen(`unix:${sock},server=on,wait=off`);
  client = await QmpTestClient.connect(sock);
  await client.waitLines(1);
  await client.execute('qmp_capabilities');
  return { engine, calls, target, c: client };
}

describe('QMP migration hooks', () => {
  it('success: STOP at stop-and-copy, finish-migrate, then postmigrate; query-migrate like QEMU', async () => {
    const { engine, calls, c } = await setup();
    expect((await c.execute('query-migrate')).answer).toEqual({ return: {} });
    expect((await c.execute('migrate', { uri: 'tcp:127.0.0.1:4444' })).answer).toEqual({ return: {} });
    expect(engine.jobs.map((j) => j.uri)).toEqual(['tcp:127.0.0.1:4444']);
    expect((await c.execute('query-migrate')).answer.return).toMatchObject({ status: 'setup' });
    expect((await c.execute('migrate', { uri: 'tcp:127.0.0.1:4445' })).answer.error.desc).toBe("There's a migration process in progress");
    engine.jobs[0].control.pause();
    expect((await c.execute('query-status')).answer.return.status).toBe('finish-migrate');
    expect((await c.execute('cont')).answer.error.desc).toBe('Migration is not finalized yet');
    engine.jobs[0].finish(status({
      status: 'completed', totalTimeMs: 37.4, downtimeMs: 19.2, setupTimeMs: 1, transferredBytes: 1572646,
      ram: { total: 1 << 28, transferred: 1_000_000, normal: 240, duplicate: 65296, dirtyPagesRate: 0, dirtySyncCount: 2, remaining: 0 },
    }));
    await new Promise((r) => setImmediate(r));
    expect((await c.execute('query-status')).answer.return.status).toBe('postmigrate');
    expect((await c.execute('query-migrate')).answer.return).toEqual({
      status: 'completed', 'setup-time': 1, downtime: 19, 'total-time': 37,
      ram: { total: 268435456, remaining: 0, transferred: 1572646, normal: 240, 'normal-bytes': 1000000, duplicate: 65296, skipped: 0,
        'dirty-sync-count': 2, 'dirty-pages-rate': 0, 'page-size': 4096, mbps: 336.395 },
    });
    expect(c.messages().filter((m) => m.event).map((m) => m.event)).toEqual(['STOP']);
    expect(calls).toEqual(['pause']);
  });

  it('failure: the source resumes (RESUME) and query-migrate reports the error', async () => {
    const { engine, calls, c } = await setup();
    await c.execute('migrate', { uri: 'unix:/nonexistent/sock' });
    engine.jobs[0].control.pause();
    engine.jobs[0].finish(status({ status: 'failed', errorDesc: 'destination closed the connection', totalTimeMs: 3 }));
    await new Promise((r) => setImmediate(r));
    expect((await c.execute('query-status')).answer.return.status).toBe('running');
    expect((await c.execute('query-migrate')).answer.return).toMatchObject({ status: 'failed', 'error-desc': 'destination closed the connection' });
    expect(c.messages().filter((m) => m.event).map((m) => m.event)).toEqual(['STOP', 'RESUME']);
    expect(calls).toEqual(['pause', 'resume']);
    // A new migration may start after a failed one.
    expect((await c.execute('migrate', { uri: 'file:/tmp/x' })).answer).toEqual({ return: {} });
  });

  it('a bad URI fails at once, starting nothing', async () => {
    const { engine, c } = await setup();
    expect((await c.execute('migrate', { uri: 'bogus' })).answer).toEqual({
      error: { class: 'GenericError', desc: "Parameter 'uri' expects a valid migration protocol" },
    });
    expect(engine.jobs).toEqual([]);
  });

});
