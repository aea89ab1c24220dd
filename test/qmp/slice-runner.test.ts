// The slice runner under QMP control: stop/cont start and stop slices, a guest power-off ends in
// SHUTDOWN {guest: true}, a crash of the run loop pauses with an error, -S starts no slice.
import { afterEach, describe, expect, it } from 'vitest';
import { SliceRunner } from '../../host-ts/qmp/slice-runner.js';
import { MachineQmpTarget } from '../../host-ts/qmp/machine-target.js';
import type { QmpEvent } from '../../host-ts/qmp/qmp-target.js';

const tick = (n = 5) => new Promise<void>(async (r) => {
  for (let i = 0; i < n; i++) await new Promise((x) => setImmediate(x));
  r();
});

/** A machine that runs `budget` slices then powers off (or throws). */
function fakeMachine(slicesBeforeStop: number, end: 'power-off' | 'throw' = 'power-off') {
  const m = {
    calls: [] as number[],
    run(opts: { maxInsns?: number }) {
      m.calls.push(opts.maxInsns!);
      if (m.calls.length >= slicesBeforeStop) {
        if (end === 'throw') throw new Error('unimplemented instruction 0x7c0004ac at 0x1000');
        return { reason: 'power-off' };
      }
      return { reason: 'budget' };
    },
  };
  return m;
}

let runner: SliceRunner | undefined;
afterEach(() => runner?.powerOff());

function assemble(m: ReturnType<typeof fakeMachine>, startPaused = false) {
  const stops: string[] = [];
  let target: MachineQmpTarget;
  runner = new SliceRunner(m, {
    slice: 1000,
    onStop: (reason, err) => {
      stops.push(err ? `${reason}: ${(err as Error).message}` : reason);
      if (reason === 'power-off') target.guestShutdown('guest-shutdown');
      else target.runState.panic();
    },
  });
  target = new MachineQmpTarget({ reset: () => {}, runner, startPaused });
  const events: QmpEvent[] = [];
  target.onEvent((e) => events.push(e));
  if (!startPaused) runner.resume();
  return { target, stops, events, r: runner };
}

describe('SliceRunner', () => {
  it('stop pauses between slices, cont resumes, power-off ends in shutdown', async () => {
    const m = fakeMachine(1_000_000);
    const { target, r } = assemble(m);
    await tick();
    expect(m.calls.length).toBeGreaterThan(2);
    expect(m.calls.every((n) => n === 1000)).toBe(true);
    target.stop();
    const frozen = m.calls.length;
    await tick();
    expect(m.calls.length).toBe(frozen);
    expect(r.isRunning).toBe(false);
    target.cont();
    await tick();
    expect(m.calls.length).toBeGreaterThan(frozen);
  });

  it('the guest powering off gives SHUTDOWN {guest: true} and no more slices', async () => {
    const m = fakeMachine(3);
    const { target, stops, events } = assemble(m);
    await tick(10);
    expect(m.calls.length).toBe(3);
    expect(stops).toEqual(['power-off']);
    expect(target.status()).toBe('shutdown');
    expect(events).toEqual([{ event: 'SHUTDOWN', data: { guest: true, reason: 'guest-shutdown' } }]);
  });

  it('a run-loop error pauses the machine in guest-panicked with the reason kept', async () => {
    const m = fakeMachine(2, 'throw');
    const { target, stops, events } = assemble(m);
    await tick(10);
    expect(stops).toEqual(['error: unimplemented instruction 0x7c0004ac at 0x1000']);
    expect(target.status()).toBe('guest-panicked');
    expect(events.map((e) => e.event)).toEqual(['GUEST_PANICKED']);
  });

  it('-S: no slice until cont', async () => {
    const m = fakeMachine(1_000_000);
    const { target } = assemble(m, true);
    await tick();
    expect(m.calls.length).toBe(0);
    expect(target.status()).toBe('prelaunch');
    target.cont();
    await tick();
    expect(m.calls.length).toBeGreaterThan(0);
  });
});
