// QMP and metrics on real machines (createMachine: VIO bus + spapr-vlan devices, no CPU yet):
// the guest side is driven by hypercalls from the test, QMP sees the devices' real state.
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createMachine } from '../../host-ts/machine/create-machine.js';
import { MachineQmpTarget } from '../../host-ts/qmp/machine-target.js';
import { QmpServer } from '../../host-ts/qmp/qmp-server.js';
import { MetricsRegistry } from '../../host-ts/metrics/registry.js';
import { vlanCollector } from '../../host-ts/metrics/vlan-metrics.js';
import { HCALL } from '../../host-ts/layout/papr.js';
import { QmpTestClient } from './qmp-test-client.js';

const U0 = 0x71000000;
const RQD = 0x8000_0100_0000_3000n; // valid, 4 KiB RX queue at ioba 0x3000

function machine(mac: string) {
  const p = createMachine({ ramSize: 4 << 20, vlans: [{ mac }, { id: 'net1', mac: '52:54:00:00:00:99', useRxBufferPools: false }] });
  const calls: string[] = [];
  const target = new MachineQmpTarget({
    reset: () => p.machine.reset(),
    vlans: p.vlans,
    vlanIds: ['net0'],
    runner: { pause: () => calls.push('pause'), resume: () => calls.push('resume'), reset: () => calls.push('reset') },
  });
  // The guest registers device 0: TCEs for buffer list, filter list and RX queue, then H_REGISTER_LOGICAL_LAN.
  const m = p.machine;
  for (const iova of [0x1000, 0x2000, 0x3000]) expect(m.hcall(HCALL.H_PUT_TCE, U0, iova, BigInt(iova + 0x100000) | 3n).ret).toBe(0n);
  expect(m.hcall(HCALL.H_REGISTER_LOGICAL_LAN, U0, 0x1000, RQD, 0x2000, 0).ret).toBe(0n);
  return { p, target, calls };
}

const servers: QmpServer[] = [];
const clients: QmpTestClient[] = [];
afterEach(async () => {
  clients.splice(0).forEach((c) => c.close());
  for (const s of servers.splice(0)) await s.close();
});

async function connect(target: MachineQmpTarget): Promise<QmpTestClient> {
  const server = new QmpServer({ target });
  servers.push(server);
  const sock = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qmp-m-')), 'q.sock');
  await server.listen(`unix:${sock},server=on,wait=off`);
  const c = await QmpTestClient.connect(sock);
  clients.push(c);
  await c.waitLines(1);
  await c.execute('qmp_capabilities');
  return c;
}

describe('MachineQmpTarget on createMachine', () => {
  it('query-vlan-stats reports the devices; system_reset really resets them (spec 6.3)', async () => {
    const { p, target, calls } = machine('52:54:00:12:34:56');
    const c = await connect(target);
    let stats = (await c.execute('query-vlan-stats')).answer.return;
    expect(stats.map((d: any) => [d.device, d['unit-address'], d.mac, d.open, d['rx-buffer-pools']])).toEqual([
      ['net0', U0, '52:54:00:12:34:56', true, true],
      ['net1', U0 + 1, '52:54:00:00:00:99', false, false],
    ]);
    expect(stats[0].counters).toEqual({
      'rx-frames': 0, 'rx-bytes': 0, 'rx-no-buffer': 0, 'rx-no-fit': 0, 'rx-closed-dropped': 0, 'rx-dma-dropped': 0,
      'rx-oversize-dropped': 0, 'rx-pending-overflow': 0, 'tx-frames': 0, 'tx-bytes': 0, 'tx-errors': 0, interrupts: 0,
    });
    const { events } = await c.execute('system_reset');
    expect(events.map((e) => e.event)).toEqual(['RESET']);
    expect(calls).toEqual(['reset']);
    expect(p.vlans[0].isOpen).toBe(false);
    stats = (await c.execute('query-vlan-stats')).answer.return;
    expect(stats[0].open).toBe(false);
    expect((await c.execute('query-status')).answer.return).toEqual({ status: 'running', singlestep: false, running: true });
  });

  it('stop / cont drive the runner; guest power-off ends in shutdown, cont then needs a reset', async () => {
    const { target, calls } = machine('52:54:00:12:34:56');
    const c = await connect(target);
    await c.execute('stop');
    await c.execute('cont');
    expect(calls).toEqual(['pause', 'resume']);
    target.guestShutdown();
    expect((await c.execute('cont')).answer.error.desc).toBe('Resetting the Virtual Machine is required');
    expect(c.messages().filter((m) => m.event).map((m) => [m.event, m.data ?? null])).toEqual([
      ['STOP', null], ['RESUME', null], ['SHUTDOWN', { guest: true, reason: 'guest-shutdown' }],
    ]);
  });

  it('two machines in one process: separate QMP servers, one metrics registry labelled per machine', async () => {
    const a = machine('52:54:00:00:00:0a');
    const b = machine('52:54:00:00:00:0b');
    const ca = await connect(a.target);
    const cb = await connect(b.target);
    await ca.execute('stop');
    expect((await cb.execute('query-status')).answer.return.status).toBe('running');
    expect((await ca.execute('query-status')).answer.return.status).toBe('paused');
    expect(cb.messages().some((m) => m.event)).toBe(false);
    const reg = new MetricsRegistry();
    reg.register(vlanCollector(() => a.target.vlanStats()), { labels: { machine: 'a' } });
    reg.register(vlanCollector(() => b.target.vlanStats()), { labels: { machine: 'b' } });
    await cb.execute('system_reset');
    const text = reg.expose();
    expect(text).toContain(
      '# TYPE pseries_vlan_open gauge\n' +
        'pseries_vlan_open{machine="a",device="net0"} 1\npseries_vlan_open{machine="a",device="net1"} 0\n' +
        'pseries_vlan_open{machine="b",device="net0"} 0\npseries_vlan_open{machine="b",device="net1"} 0\n',
    );
    expect(text).toContain('pseries_vlan_rx_frames_total{machine="b",device="net1"} 0\n');
  });
});
