// From a qemu-system-ppc64 style command line to listening QMP servers: the CLI's parsed -qmp
// options (two monitors, unix and tcp, old and new spellings) start one server each.
import { afterEach, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from '../../host-ts/cli/parse-args.js';
import { startQmpServers, type QmpServer } from '../../host-ts/qmp/qmp-server.js';
import { FakeTarget } from './fake-target.js';
import { QmpTestClient } from './qmp-test-client.js';

let servers: QmpServer[] = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  servers = [];
});

describe('-qmp from the command line', () => {
  it('starts one monitor per -qmp; both answer, events reach both', async () => {
    const sock = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qmp-cli-')), 'q.sock');
    const { config } = parseArgs(['-M', 'pseries', '-qmp', `unix:${sock},server,nowait`, '-qmp', 'tcp:127.0.0.1:0,server=on,wait=off']);
    expect(config!.qmp.length).toBe(2);
    const target = new FakeTarget();
    servers = await startQmpServers(config!.qmp, { target });
    const a = await QmpTestClient.connect(sock);
    const b = await QmpTestClient.connect(servers[1].boundAddress as number);
    for (const c of [a, b]) {
      await c.waitLines(1);
      await c.execute('qmp_capabilities');
    }
    const { events } = await a.execute('stop');
    expect(events.map((e) => e.event)).toEqual(['STOP']);
    expect((await b.execute('query-status')).events.map((e) => e.event)).toEqual(['STOP']);
    a.close();
    b.close();
  });

  it('a port already in use fails start-up and closes the servers already started', async () => {
    const first = await startQmpServers(['tcp:127.0.0.1:0,server=on,wait=off'], { target: new FakeTarget() });
    servers = first;
    const port = first[0].boundAddress as number;
    const sock = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qmp-cli-')), 'q.sock');
    await expect(startQmpServers([`unix:${sock},server=on,wait=off`, `tcp:127.0.0.1:${port},server=on,wait=off`], { target: new FakeTarget() }))
      .rejects.toThrow(/EADDRINUSE/);
    expect(fs.existsSync(sock)).toBe(false);
  });
});

describe('-metrics from the command line', () => {
  it('is kept as given, checked at parse time, and serves the registry', async () => {
    const { startMetricsServer } = await import('../../host-ts/metrics/metrics-server.js');
    const { MetricsRegistry } = await import('../../host-ts/metrics/registry.js');
    const { vlanCollector } = await import('../../host-ts/metrics/vlan-metrics.js');
    expect(parseArgs(['-metrics', 'tcp:9100']).config!.metrics).toBe('tcp:9100');
    expect(() => parseArgs(['-metrics', 'udp:9100'])).toThrow("-metrics: 'udp:9100': expected unix:PATH or tcp:HOST:PORT");
    expect(() => parseArgs(['-metrics', 'tcp:70000'])).toThrow("invalid port '70000'");
    const { config } = parseArgs(['-metrics', 'tcp:127.0.0.1:0']);
    const reg = new MetricsRegistry();
    const target = new FakeTarget();
    reg.register(vlanCollector(() => target.vlanStats()));
    const srv = await startMetricsServer(reg, config!.metrics!);
    try {
      const res = await fetch(`http://127.0.0.1:${srv.port}/metrics`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('pseries_vlan_tx_bytes_total{device="net0"} 1152921504606846976\n');
    } finally {
      await srv.close();
    }
  });
});
