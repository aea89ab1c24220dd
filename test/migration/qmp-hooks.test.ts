// QMP migrate / query-migrate through MigrationController (the hooks the QMP server calls).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { MigrationController, incoming } from '../../host-ts/migration/index.js';
import { makeMachine, randomizeState, stateHash } from './helpers.js';
import { GuestWriter } from './guest-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'pseries-qmpmig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('migrate returns at once; query-migrate reports progress then QEMU MigrationInfo when completed', async () => {
  const src = makeMachine({ ramSize: 4 << 20 });
  randomizeState(src, 11);
  const guest = new GuestWriter(src, 11);
  guest.resume();
  const ctl = new MigrationController(src, { control: guest });
  expect(ctl.queryMigrate()).toEqual({});
  expect(() => ctl.migrate('exec:cat')).toThrow("Parameter 'uri' expects a valid migration protocol");
  const dst = makeMachine({ ramSize: 4 << 20 });
  const inc = incoming(dst, `unix:${join(dir, 'q.sock')}`);
  ctl.migrate(await inc.listening);
  expect(['setup', 'active']).toContain(ctl.queryMigrate().status);
  expect(() => ctl.migrate(`unix:${join(dir, 'q.sock')}`)).toThrow("There's a migration process in progress");
  await ctl.current!.done;
  await inc.done;
  const info = ctl.queryMigrate() as Record<string, unknown> & { ram: Record<string, number> };
  expect(info.status).toBe('completed');
  expect(Object.keys(info).sort()).toEqual(['downtime', 'ram', 'setup-time', 'status', 'total-time']);
  expect(info.ram.total).toBe(4 << 20);
  expect(info.ram.normal + info.ram.duplicate).toBeGreaterThanOrEqual(1024);
  expect(info.ram['normal-bytes']).toBe(info.ram.normal * 4096);
  expect(info.ram['page-size']).toBe(4096);
  expect(info.ram.transferred).toBeGreaterThan(info.ram['normal-bytes']);
  expect(guest.isRunning).toBe(false);
  expect(stateHash(dst)).toBe(stateHash(src));
});

test('a failed migration shows status failed and error-desc', async () => {
  const src = makeMachine();
  const ctl = new MigrationController(src);
  ctl.migrate(`unix:${join(dir, 'nobody.sock')}`);
  await ctl.current!.done;
  const info = ctl.queryMigrate();
  expect(info.status).toBe('failed');
  expect(info['error-desc']).toMatch(/ENOENT/);
});
