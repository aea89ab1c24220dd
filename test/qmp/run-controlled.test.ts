// A machine run under QMP control (what the CLI does with -qmp/-S/-metrics), with a scripted
// machine in place of the CPU: guest power-off and reboot, quit, -S, metrics while running.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runControlled, type ControlledMachine } from '../../host-ts/qmp/run-controlled.js';
import { createMachine } from '../../host-ts/machine/create-machine.js';
import { parseArgs } from '../../host-ts/cli/parse-args.js';
import { QmpTestClient } from './qmp-test-client.js';

/** Scripted machine: `script[i]` is what slice i returns; afterwards 'budget' forever. Reboots count like PseriesMachine. */
function scripted(script: ('budget' | 'power-off' | 'reboot-handled' | 'reboot')[]): ControlledMachine & { slices: number } {
  const { machine, vlans } = createMachine({ ramSize: 4 << 20, vlans: [{}] });
  const m = {
    slices: 0,
    reboots: 0,
    vlans,
    reset: () => machine.reset(),
    run() {
      const step = script[m.slices++] ?? 'budget';
      if (step === 'reboot-handled') {
        m.reboots++;
        return { reason: 'budget' };
      }
      return { reason: step };
    },
  };
  return m;
}

const sockPath = () => path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qmp-run-')), 'q.sock');

async function client(sock: string): Promise<QmpTestClient> {
  const c = await QmpTestClient.connect(sock);
  await c.waitLines(1);
  await c.execute('qmp_capabilities');
  return c;
}

describe('runControlled', () => {
  it('-S waits for cont; a handled guest reboot reports RESET {guest: true}; power-off ends the run with SHUTDOWN', async () => {
    const sock = sockPath();
    const { config } = parseArgs(['-M', 'pseries', '-S', '-qmp', `unix:${sock},server=on,wait=off`, '-netdev', 'in-process,id=n0', '-device', 'spapr-vlan,netdev=n0,id=lan0']);
    const m = scripted(['budget', 'reboot-handled', 'budget', 'budget']);
    const run = await runControlled(m, config!);
    const c = await client(sock);
    await new Promise((r) => setTimeout(r, 20));
    expect(m.slices).toBe(0);
    expect((await c.execute('query-status')).answer.return.status).toBe('prelaunch');
    expect((await c.execute('query-vlan-stats')).answer.return.map((d: any) => d.device)).toEqual(['lan0']);
    await c.execute('cont');
    for (let i = 0; i < 100 && m.slices < 3; i++) await new Promise((r) => setImmediate(r));
    m.run = () => ({ reason: 'power-off' }); // the guest powers off after the reboot was reported
    const end = await run.done;
    expect(end).toEqual({ end: 'guest-shutdown' });
    await c.closedPromise();
    expect(c.messages().filter((x) => x.event).map((x) => [x.event, x.data ?? null])).toEqual([
      ['RESUME', null],
      ['RESET', { guest: true, reason: 'guest-reset' }],
      ['SHUTDOWN', { guest: true, reason: 'guest-shutdown' }],
    ]);
    expect(fs.existsSync(sock)).toBe(false);
  });

  it('-no-reboot style: a reboot the machine did not handle ends the run with SHUTDOWN guest-reset', async () => {
    const sock = sockPath();
    const run = await runControlled(scripted(['budget', 'reboot']), { qmp: [{ addr: { type: 'unix', path: sock }, server: true, wait: false }], startPaused: false });
    expect(await run.done).toEqual({ end: 'guest-reset' });
    expect(run.target.status()).toBe('shutdown');
  });

  it('quit: the client gets SHUTDOWN and its answer, then the run ends and the metrics endpoint closes', async () => {
    const sock = sockPath();
    const { config } = parseArgs(['-qmp', `unix:${sock},server,nowait`, '-metrics', 'tcp:127.0.0.1:0']);
    const m = scripted([]);
    const run = await runControlled(m, config!);
    const c = await client(sock);
    const res = await fetch(`http://127.0.0.1:${run.metrics!.port}/metrics`);
    expect(await res.text()).toContain('pseries_vlan_open{device="spapr-vlan0"} 0\n');
    const { answer, events } = await c.execute('quit', undefined, 'q');
    expect(events.map((e) => e.data)).toEqual([{ guest: false, reason: 'host-qmp-quit' }]);
    expect(answer).toEqual({ return: {}, id: 'q' });
    expect(await run.done).toEqual({ end: 'host-qmp-quit' });
    await c.closedPromise();
    const sliced = m.slices;
    await new Promise((r) => setTimeout(r, 20));
    expect(m.slices).toBe(sliced); // the CPU does not run after quit
    await expect(fetch(`http://127.0.0.1:${run.metrics!.port}/metrics`)).rejects.toThrow();
  });
});
