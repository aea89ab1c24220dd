// End to end: a prebuilt guest on the real pseries machine (createPseries, CPU in Wasm) under
// QMP control: -S holds it, cont starts it, stop freezes it (console input is not consumed),
// cont resumes, the guest powering off gives SHUTDOWN {guest: true} and ends the run.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPseries } from '../../host-ts/machine/pseries.js';
import { runControlled } from '../../host-ts/qmp/run-controlled.js';
import { QmpTestClient } from './qmp-test-client.js';
import { until as waitUntil } from '../support/until.js';

const GUESTS = path.join(import.meta.dirname, '../../guests/prebuilt');
const image = (f: string) => new Uint8Array(fs.readFileSync(path.join(GUESTS, f)));
const hasCpu = createPseries({ bios: image('hello-be.bin') }).hasCpu;
const sockPath = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qmp-ps-')), 'q.sock');

const until = (cond: () => boolean, what: string, ms = 5000) => waitUntil(cond, what, ms);

describe.skipIf(!hasCpu)('QMP on a booted pseries guest', () => {
  it('echo guest: -S, cont, stop holds input, cont, power-off ends with SHUTDOWN', async () => {
    let out = '';
    const p = createPseries({ bios: image('echo-be.bin'), sliceInsns: 20_000, vlans: [{ id: 'lan0' }], console: (b) => { out += Buffer.from(b).toString('latin1'); } });
    const sock = sockPath();
    const run = await runControlled(p, { qmp: [{ addr: { type: 'unix', path: sock }, server: true, wait: false }], startPaused: true });
    const c = await QmpTestClient.connect(sock);
    await c.waitLines(1);
    await c.execute('qmp_capabilities');
    expect((await c.execute('query-status')).answer.return).toEqual({ status: 'prelaunch', singlestep: false, running: false });
    await new Promise((r) => setTimeout(r, 20));
    expect(out).toBe(''); // -S: not one instruction yet

    await c.execute('cont');
    await until(() => out.includes("echo: send bytes, 'q' ends\n"), 'the banner');
    p.input('ab');
    await until(() => out.includes('[0x61 0x62]'), 'the first echo');

    expect((await c.execute('stop')).events.map((e) => e.event)).toEqual(['STOP']);
    const frozen = p.insnCount();
    p.input('c');
    await new Promise((r) => setTimeout(r, 30));
    expect(p.insnCount()).toBe(frozen);
    expect(out).not.toContain('0x63');
    expect((await c.execute('query-vlan-stats')).answer.return.map((d: any) => [d.device, d['unit-address']])).toEqual([['lan0', 0x71000001]]);

    await c.execute('cont');
    await until(() => out.includes('0x63'), 'the echo after cont');
    p.input('q');
    expect(await run.done).toEqual({ end: 'guest-shutdown' });
    await c.closedPromise();
    expect(c.messages().filter((m) => m.event).map((m) => [m.event, m.data ?? null])).toEqual([
      ['RESUME', null], ['STOP', null], ['RESUME', null], ['SHUTDOWN', { guest: true, reason: 'guest-shutdown' }],
    ]);
    expect(out).toMatch(/echo: 4 bytes\n$/);
    expect(p.exitStatus).toBe(0);
  });

  it('hello guest runs to power-off without -S; quit before the end is not needed', async () => {
    let out = '';
    const p = createPseries({ bios: image('hello-be.bin'), console: (b) => { out += Buffer.from(b).toString('latin1'); } });
    const sock = sockPath();
    const run = await runControlled(p, { qmp: [{ addr: { type: 'unix', path: sock }, server: true, wait: false }], startPaused: false });
    expect(await run.done).toEqual({ end: 'guest-shutdown' });
    expect(run.target.status()).toBe('shutdown');
    expect(out.length).toBeGreaterThan(0);
    expect(fs.existsSync(sock)).toBe(false);
  });
});
