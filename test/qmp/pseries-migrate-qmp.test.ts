// QMP migrate on a running guest: the echo guest on machine A is live-migrated over TCP loopback
// to machine B by the QMP `migrate` command; A ends in postmigrate (STOP sent), query-migrate
// reports completed, and B goes on where A stopped (its byte count includes the bytes A read).
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPseries } from '../../host-ts/machine/pseries.js';
import { runControlled } from '../../host-ts/qmp/run-controlled.js';
import { incoming } from '../../host-ts/migration/live.js';
import { QmpTestClient } from './qmp-test-client.js';
import { until as waitUntil } from '../support/until.js';

const ECHO = new Uint8Array(fs.readFileSync(path.join(import.meta.dirname, '../../guests/prebuilt/echo-be.bin')));
const hasCpu = createPseries({ bios: ECHO }).hasCpu;

const until = (cond: () => boolean | Promise<boolean>, what: string, ms = 10_000) => waitUntil(cond, what, ms, 5);

describe.skipIf(!hasCpu)('QMP migrate on a running pseries guest', () => {
  it('live migration over tcp: A postmigrate, B continues the guest', async () => {
    let outA = '';
    let outB = '';
    const a = createPseries({ ramSize: 256 << 20, bios: ECHO, sliceInsns: 20_000, console: (b) => { outA += Buffer.from(b).toString('latin1'); } });
    const b = createPseries({ ramSize: 256 << 20, bios: ECHO, console: (x) => { outB += Buffer.from(x).toString('latin1'); } });
    const sock = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qmp-mig-')), 'q.sock');
    const run = await runControlled(a, { qmp: [{ addr: { type: 'unix', path: sock }, server: true, wait: false }], startPaused: false });
    const c = await QmpTestClient.connect(sock);
    await c.waitLines(1);
    await c.execute('qmp_capabilities');
    await until(() => outA.includes("'q' ends"), 'the banner on A');
    a.input('ab');
    await until(() => outA.includes('[0x61 0x62]'), 'the echo on A');

    const dest = incoming(b.machine, 'tcp:127.0.0.1:0');
    const uri = await dest.listening;
    expect((await c.execute('migrate', { uri })).answer).toEqual({ return: {} });
    await until(async () => (await c.execute('query-migrate')).answer.return.status === 'completed', 'completion');
    expect((await dest.done).status).toBe('completed');
    expect((await c.execute('query-status')).answer.return).toEqual({ status: 'postmigrate', singlestep: false, running: false });
    expect(c.messages().filter((m) => m.event).map((m) => m.event)).toEqual(['STOP']);
    const info = (await c.execute('query-migrate')).answer.return;
    expect(info.ram.total).toBe(256 << 20);
    expect(info.ram.transferred).toBeGreaterThan(0);

    // B runs on from A's state: reading 'q' ends the guest, which counts 3 bytes in all.
    b.input('q');
    const r = b.runner.runSync(50_000_000);
    expect(r.reason).toBe('power-off');
    expect(outB).toBe('[0x71]\necho: 3 bytes\n');
    await c.execute('quit');
    expect((await run.done).end).toBe('host-qmp-quit');
  });
});
