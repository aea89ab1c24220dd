// The one run loop (host-ts/machine/runner.ts): slices on the event loop, pause/resume at slice
// boundaries (also under QMP stop/cont), limits, halts, run-loop errors, unimplemented-instruction
// reports, and idle: warp to the decrementer, or a real-time wait ended early by wake().
import { afterEach, describe, expect, test } from 'vitest';
import { machineWithCode, writeWords, CODE_BASE } from '../isa/harness.js';
import * as E from '../isa/encode.js';
import { Runner, type RunEnd } from '../../host-ts/machine/runner.js';
import { MachineQmpTarget } from '../../host-ts/qmp/machine-target.js';
import { EXIT, HCALL } from '../../host-ts/layout/papr.js';
import { VtyDevice } from '../../host-ts/console/vty.js';
import type { Migratable } from '../../host-ts/migration/index.js';

const turns = (n = 5) => new Promise<void>(async (r) => {
  for (let i = 0; i < n; i++) await new Promise((x) => setImmediate(x));
  r();
});

const runners: Runner[] = [];
afterEach(() => { for (const r of runners.splice(0)) r.powerOff(); });
function runner(...args: ConstructorParameters<typeof Runner>): Runner {
  const r = new Runner(...args);
  runners.push(r);
  return r;
}

/** An endless loop: addi r5,r5,1; b -4. */
const spinner = () => machineWithCode([E.addi(5, 5, 1), E.b(-4)], false);

describe('Runner on the event loop', () => {
  test('QMP stop pauses between slices (no instruction after it), cont resumes', async () => {
    const m = spinner();
    const r = runner(m, { sliceInsns: 1000 });
    const target = new MachineQmpTarget({ reset: () => {}, runner: r });
    r.resume();
    await turns();
    expect(r.slices).toBeGreaterThan(2);
    expect(m.cpu.getBig('insnCount')).toBe(BigInt(r.slices * 1000));
    target.stop();
    expect(r.state).toBe('paused');
    const frozen = m.cpu.getBig('insnCount');
    await turns();
    expect(m.cpu.getBig('insnCount')).toBe(frozen);
    target.cont();
    expect(r.isRunning).toBe(true);
    await turns();
    expect(m.cpu.getBig('insnCount')).toBeGreaterThan(frozen);
  });

  test('-S: prelaunch runs no slice until cont', async () => {
    const m = spinner();
    const r = runner(m, { sliceInsns: 1000 });
    const target = new MachineQmpTarget({ reset: () => {}, runner: r, startPaused: true });
    await turns();
    expect(r.slices).toBe(0);
    expect(target.status()).toBe('prelaunch');
    target.cont();
    await turns();
    expect(r.slices).toBeGreaterThan(0);
  });

  test('run({maxInsns}) stops at exactly the limit, across slices', async () => {
    const m = spinner();
    const r = runner(m, { sliceInsns: 300 });
    expect(await r.run({ maxInsns: 1000 })).toEqual({ reason: 'limit', insns: 1000n });
    expect(r.slices).toBe(4); // 300 + 300 + 300 + 100
    expect(m.gpr(5)).toBe(500n);
    expect(r.state).toBe('paused');
  });

  test('a halt requested by a hypercall ends the run with the cause the machine gives', async () => {
    const m = machineWithCode([E.ori(3, 0, 0xf000), E.SC1, E.b(0)], false);
    let cause: 'power-off' | undefined;
    m.registerHcall(0xf000, (mm) => { cause = 'power-off'; mm.state.set('exitReason', EXIT.EXIT_HALT); return 0; });
    const r = runner(m, { sliceInsns: 1, haltCause: () => cause });
    const stops: RunEnd[] = [];
    r.on('stop', (e: RunEnd) => stops.push(e));
    expect(await r.run()).toEqual({ reason: 'power-off', insns: 2n });
    expect(stops).toEqual([{ reason: 'power-off', insns: 2n }]);
  });

  test('reboot: the machine resets and the run goes on; without a reboot hook the run ends', async () => {
    const m = machineWithCode([E.addi(6, 6, 1), E.ori(3, 0, 0xf000), E.SC1, E.b(0)], false);
    let cause: 'reboot' | undefined;
    m.registerHcall(0xf000, (mm) => { cause = 'reboot'; mm.state.set('exitReason', EXIT.EXIT_HALT); return 0; });
    let resets = 0;
    const r = runner(m, {
      haltCause: () => cause,
      reboot: () => {
        if (++resets === 3) return false; // third time: like -no-reboot
        cause = undefined;
        m.cpu.set('nip', BigInt(CODE_BASE));
        return true;
      },
    });
    const rebootEvents: number[] = [];
    r.on('reboot', () => rebootEvents.push(r.reboots));
    const end = await r.run();
    expect(end.reason).toBe('reboot');
    expect(rebootEvents).toEqual([1, 2]);
    expect(m.gpr(6)).toBe(3n);
  });

  test('an error thrown in a slice stops the run with the error kept', async () => {
    const m = machineWithCode([E.ori(3, 0, 0xf000), E.SC1, E.b(0)], false);
    m.registerHcall(0xf000, () => { throw new Error('device model failed'); });
    const r = runner(m);
    const end = await r.run();
    expect(end.reason).toBe('error');
    expect(end.error?.message).toBe('device model failed');
    expect(r.state).toBe('paused');
  });

  test('an unimplemented instruction is reported once per slice that met it', async () => {
    // illegal word 0 at CODE_BASE+4; the program interrupt vector 0x700 loops.
    const m = machineWithCode([E.NOP, 0x00000000], false);
    writeWords(m, 0x700, [E.b(0)], false);
    const r = runner(m, { sliceInsns: 100 });
    const reports: string[][] = [];
    r.on('unimplemented', (list: { mnemonic: string; count: number }[]) => reports.push(list.map((e) => `${e.mnemonic}x${e.count}`)));
    expect(await r.run({ maxInsns: 500 })).toEqual({ reason: 'limit', insns: 500n });
    expect(reports).toEqual([['attnx1']]);
    expect(r.unimplementedReport()).toBe(`attn: 1x (last 0x00000000 at 0x${(CODE_BASE + 4).toString(16)})`);
  });
});

describe('Runner as migration sees it (Migratable)', () => {
  test('pause stops at once, resume restarts; throttle spaces slices out', async () => {
    const m = spinner();
    const r = runner(m, { sliceInsns: 200_000 });
    const c: Migratable = r;
    expect(c.isRunning).toBe(false);
    c.resume();
    await turns(3);
    expect(c.isRunning).toBe(true);
    c.pause();
    const at = r.slices;
    await turns(3);
    expect(r.slices).toBe(at);
    // 99% throttle: after each slice the runner waits ~99 slice-times before the next one
    c.throttle!(0.99);
    c.resume();
    await new Promise((res) => setTimeout(res, 15));
    expect(r.slices).toBe(at + 1);
    c.throttle!(0);
    c.pause();
    c.resume();
    await turns(3);
    expect(r.slices).toBeGreaterThan(at + 2);
  });
});

describe('Runner idle (H_CEDE)', () => {
  /** DEC = r4 ticks, H_CEDE, then the DEC interrupt at 0x900 counts r7. */
  function ceder(decTicks: number | bigint) {
    const m = machineWithCode([E.mtspr(E.SPR.DEC, 4), E.addi(3, 0, HCALL.H_CEDE), E.SC1, E.b(0)], false);
    writeWords(m, 0x900, [E.addi(7, 7, 1), E.b(0)], false);
    writeWords(m, 0x500, [E.addi(8, 8, 1), E.b(0)], false);
    m.setGpr(4, decTicks);
    return m;
  }

  test('warp: virtual time jumps to the decrementer deadline, no real wait', async () => {
    const m = ceder(0x7fff_0000);
    const r = runner(m, { idle: 'warp' });
    const t0 = performance.now();
    await r.run({ maxInsns: 100 });
    expect(performance.now() - t0).toBeLessThan(1000); // 4.19 s of guest time, not waited
    expect(m.gpr(7)).toBe(1n);
    expect(m.state.getBig('vclockNs')).toBeGreaterThan(4_194_000_000n);
  });

  test('realtime: wake() ends the wait early; virtual time advanced by the time waited', async () => {
    const m = ceder(0x7fff_0000); // ~4.19 s away
    const r = runner(m, { idle: 'realtime' });
    const done = r.run({ maxInsns: 100 });
    while (m.cpu.getNum('idle') === 0) await new Promise((res) => setTimeout(res, 1));
    await new Promise((res) => setTimeout(res, 30));
    r.raiseExternal(); // external interrupt input: 0x500
    expect(await done).toEqual({ reason: 'limit', insns: 100n });
    expect(m.gpr(8)).toBe(1n);
    expect(m.gpr(7)).toBe(0n);
    const v = m.state.getBig('vclockNs');
    expect(v).toBeGreaterThanOrEqual(25_000_000n); // >= 30 ms waited (timer granularity aside)
    expect(v).toBeLessThan(2_000_000_000n);
  });

  test('realtime: a pause during the wait keeps the time waited and runs nothing more', async () => {
    const m = ceder(0x7fff_0000);
    const r = runner(m, { idle: 'realtime' });
    r.resume();
    while (m.cpu.getNum('idle') === 0) await new Promise((res) => setTimeout(res, 1));
    await new Promise((res) => setTimeout(res, 20));
    const insns = m.cpu.getBig('insnCount');
    r.pause();
    const v = m.state.getBig('vclockNs');
    expect(v).toBeGreaterThanOrEqual(15_000_000n);
    await new Promise((res) => setTimeout(res, 20));
    expect(m.state.getBig('vclockNs')).toBe(v);
    expect(m.cpu.getBig('insnCount')).toBe(insns);
  });

  test('realtime: a short decrementer wakes the vCPU at its deadline exactly', async () => {
    const m = ceder(1000); // 1000 ticks at 512 MHz = 1953.125 ns
    const r = runner(m, { idle: 'realtime' });
    await r.run({ maxInsns: 100 });
    expect(m.gpr(7)).toBe(1n);
    expect(m.state.getBig('vclockNs')).toBeLessThan(10_000_000n);
  });

  test('realtime: console input arriving while idle ends the wait at once (machine.kick)', async () => {
    const m = ceder(0x7fff_0000);
    const vty = new VtyDevice(m, () => {});
    const r = runner(m, { idle: 'realtime' });
    r.resume();
    while (m.cpu.getNum('idle') === 0) await new Promise((res) => setTimeout(res, 1));
    const slices = r.slices;
    const v0 = m.state.getBig('vclockNs');
    vty.input('x'); // wakes the vCPU: it re-checks its interrupts (none) and idles again
    await turns(3);
    expect(r.slices).toBe(slices + 1);
    expect(m.state.getBig('vclockNs')).toBeGreaterThan(v0);
    expect(m.cpu.getNum('idle')).toBe(1);
    r.pause();
  });
});
