// QMP migrate / query-migrate (host-ts/qmp migrationHooks + run state) driving this engine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { incoming, type MigrationJob } from '../../host-ts/migration/index.js';
import { migrationHooks, engineMigration } from '../../host-ts/qmp/migration-hooks.js';
import { RunStateTracker } from '../../host-ts/qmp/run-state.js';
import { makeMachine, randomizeState, stateHash } from './helpers.js';
import { GuestWriter } from './guest-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'pseries-qmpmig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function setup(seed: number) {
  const src = makeMachine({ ramSize: 4 << 20 });
  randomizeState(src, seed);
  const guest = new GuestWriter(src, seed);
  const runState = new RunStateTracker({ pause: () => guest.pause(), resume: () => guest.resume() });
  guest.resume();
  let job: MigrationJob | undefined;
  const hooks = migrationHooks(runState, (uri, control) => (job = engineMigration(src)(uri, control) as MigrationJob));
  return { src, guest, runState, hooks, job: () => job! };
}

test('migrate returns at once, query-migrate follows the job, the source ends in postmigrate', async () => {
  const { src, guest, runState, hooks, job } = setup(11);
  const events: string[] = [];
  runState.onEvent((e) => events.push(e.event));
  expect(hooks.queryMigrate()).toEqual({});
  expect(() => hooks.migrate('exec:cat', {})).toThrow("Parameter 'uri' expects a valid migration protocol");
  const dst = makeMachine({ ramSize: 4 << 20 });
  const inc = incoming(dst, `unix:${join(dir, 'q.sock')}`);
  await hooks.migrate(await inc.listening, {});
  expect(['setup', 'active']).toContain(hooks.queryMigrate().status);
  expect(() => hooks.migrate(`unix:${join(dir, 'q.sock')}`, {})).toThrow("There's a migration process in progress");
  await job().done;
  await inc.done;
  await new Promise((r) => setImmediate(r));
  const info = hooks.queryMigrate() as Record<string, unknown> & { ram: Record<string, number> };
  expect(info.status).toBe('completed');
  expect(info.ram.total).toBe(4 << 20);
  expect(info.ram.normal + info.ram.duplicate).toBeGreaterThanOrEqual(1024);
  expect(info.ram['page-size']).toBe(4096);
  expect(runState.status).toBe('postmigrate');
  expect(events).toEqual(['STOP']);
  expect(guest.isRunning).toBe(false);
  expect(stateHash(dst)).toBe(stateHash(src));
});

test('a failed migration: status failed with error-desc, the VM runs again (RESUME)', async () => {
  const { guest, runState, hooks, job } = setup(12);
  const events: string[] = [];
  runState.onEvent((e) => events.push(e.event));
  const dst = makeMachine({ ramSize: 8 << 20 }); // other RAM size: refused at the header
  const inc = incoming(dst, `unix:${join(dir, 'f.sock')}`);
  await hooks.migrate(await inc.listening, {});
  await job().done;
  await new Promise((r) => setImmediate(r));
  const info = hooks.queryMigrate();
  expect(info.status).toBe('failed');
  expect(info['error-desc']).toBe(`destination refused the migration: header.ramSize: stream carries ${4 << 20} bytes of guest RAM, the destination has ${8 << 20} (-m must match)`);
  expect(runState.status).toBe('running');
  expect(guest.isRunning).toBe(true);
  guest.pause();
});

test('inmigrate: cont and stop while the state is on its way decide whether it runs on arrival (QEMU autostart)', () => {
  const runs: string[] = [];
  const mk = () => new RunStateTracker({ resume: () => runs.push('resume'), pause: () => runs.push('pause') });
  const a = mk();
  a.incomingStarted();
  expect(a.status).toBe('inmigrate');
  a.cont(); // deferred
  expect([a.status, runs.length]).toEqual(['inmigrate', 0]);
  a.incomingCompleted(false); // -S, but cont came meanwhile
  expect([a.status, runs]).toEqual(['running', ['resume']]);
  const b = mk();
  b.incomingStarted();
  b.stop();
  b.incomingCompleted(true); // no -S, but stop came meanwhile
  expect(b.status).toBe('paused');
  const c = mk();
  c.incomingStarted();
  c.incomingCompleted(true);
  expect(c.status).toBe('running');
});
