// Prometheus text format 0.0.4: exact text for fixed counters, escaping, validation, merging
// across machines, and a scrape over HTTP on loopback.
import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import { MetricsRegistry } from '../../host-ts/metrics/registry.js';
import { renderExposition, CONTENT_TYPE } from '../../host-ts/metrics/exposition.js';
import { vlanFamilies } from '../../host-ts/metrics/vlan-metrics.js';
import { startMetricsServer, type MetricsServer } from '../../host-ts/metrics/metrics-server.js';
import { FIXED_STATS } from '../qmp/fake-target.js';

const EXPECTED_VLAN = `# HELP pseries_vlan_open Whether the guest has registered the device (H_REGISTER_LOGICAL_LAN)
# TYPE pseries_vlan_open gauge
pseries_vlan_open{machine="vm0",device="net0"} 1
pseries_vlan_open{machine="vm0",device="net1"} 0
# HELP pseries_vlan_rx_buffers RX buffers currently posted by the guest
# TYPE pseries_vlan_rx_buffers gauge
pseries_vlan_rx_buffers{machine="vm0",device="net0"} 96
pseries_vlan_rx_buffers{machine="vm0",device="net1"} 0
# HELP pseries_vlan_rx_frames_total Frames delivered to the guest (per device)
# TYPE pseries_vlan_rx_frames_total counter
pseries_vlan_rx_frames_total{machine="vm0",device="net0"} 1000
pseries_vlan_rx_frames_total{machine="vm0",device="net1"} 0
# HELP pseries_vlan_rx_bytes_total Bytes delivered to the guest (per device)
# TYPE pseries_vlan_rx_bytes_total counter
pseries_vlan_rx_bytes_total{machine="vm0",device="net0"} 1514000
pseries_vlan_rx_bytes_total{machine="vm0",device="net1"} 0
# HELP pseries_vlan_rx_no_buffer_total Frames dropped because no RX buffer was posted (per device)
# TYPE pseries_vlan_rx_no_buffer_total counter
pseries_vlan_rx_no_buffer_total{machine="vm0",device="net0"} 3
pseries_vlan_rx_no_buffer_total{machine="vm0",device="net1"} 0
# HELP pseries_vlan_tx_frames_total Frames transmitted by the guest (per device)
# TYPE pseries_vlan_tx_frames_total counter
pseries_vlan_tx_frames_total{machine="vm0",device="net0"} 12
pseries_vlan_tx_frames_total{machine="vm0",device="net1"} 0
# HELP pseries_vlan_tx_bytes_total Bytes transmitted by the guest (per device)
# TYPE pseries_vlan_tx_bytes_total counter
pseries_vlan_tx_bytes_total{machine="vm0",device="net0"} 1152921504606846976
pseries_vlan_tx_bytes_total{machine="vm0",device="net1"} 0
# HELP pseries_vlan_pool_buffers RX buffers currently held by the pool
# TYPE pseries_vlan_pool_buffers gauge
pseries_vlan_pool_buffers{machine="vm0",device="net0",pool="0"} 64
pseries_vlan_pool_buffers{machine="vm0",device="net0",pool="1"} 32
# HELP pseries_vlan_pool_buffer_size_bytes Buffer size of the pool
# TYPE pseries_vlan_pool_buffer_size_bytes gauge
pseries_vlan_pool_buffer_size_bytes{machine="vm0",device="net0",pool="0"} 512
pseries_vlan_pool_buffer_size_bytes{machine="vm0",device="net0",pool="1"} 2048
# HELP pseries_vlan_pool_hits_total Frames received into a buffer (per RX buffer pool)
# TYPE pseries_vlan_pool_hits_total counter
pseries_vlan_pool_hits_total{machine="vm0",device="net0",pool="0"} 900
pseries_vlan_pool_hits_total{machine="vm0",device="net0",pool="1"} 100
# HELP pseries_vlan_pool_fallbacks_total Frames that took a larger buffer because the fitting pool was empty (per RX buffer pool)
# TYPE pseries_vlan_pool_fallbacks_total counter
pseries_vlan_pool_fallbacks_total{machine="vm0",device="net0",pool="0"} 1
pseries_vlan_pool_fallbacks_total{machine="vm0",device="net0",pool="1"} 2
# HELP pseries_vlan_buffer_size_posted_total RX buffers posted by the guest (per RX buffer size outside pools)
# TYPE pseries_vlan_buffer_size_posted_total counter
pseries_vlan_buffer_size_posted_total{machine="vm0",device="net1",size="1536"} 10
# HELP pseries_vlan_buffer_size_hits_total Frames received into a buffer (per RX buffer size outside pools)
# TYPE pseries_vlan_buffer_size_hits_total counter
pseries_vlan_buffer_size_hits_total{machine="vm0",device="net1",size="1536"} 0
`;

describe('Prometheus text exposition', () => {
  it('renders VLAN telemetry exactly (devices sorted by unit address, 64-bit counters exact)', () => {
    const reg = new MetricsRegistry();
    reg.register(() => vlanFamilies(FIXED_STATS), { labels: { machine: 'vm0' } });
    expect(reg.expose()).toBe(EXPECTED_VLAN);
  });

  it('escapes label values and HELP text; formats special values', () => {
    const text = renderExposition([
      { name: 'x_total', help: 'a \\ b\nc "q"', type: 'counter', samples: [{ labels: { device: 'a"b\\c\nd' }, value: 5 }] },
      { name: 'g', help: 'h', type: 'gauge', samples: [{ value: NaN }, { labels: { k: '1' }, value: Infinity }, { labels: { k: '2' }, value: -Infinity }, { labels: { k: '3' }, value: 0.25 }] },
    ]);
    expect(text).toBe(
      '# HELP x_total a \\\\ b\\nc "q"\n# TYPE x_total counter\nx_total{device="a\\"b\\\\c\\nd"} 5\n' +
        '# HELP g h\n# TYPE g gauge\ng NaN\ng{k="1"} +Inf\ng{k="2"} -Inf\ng{k="3"} 0.25\n',
    );
  });

  it('rejects invalid names, duplicate series and negative counters with clear errors', () => {
    const one = (f: object) => () => renderExposition([{ help: 'h', type: 'gauge', samples: [{ value: 1 }], name: 'ok', ...f }]);
    expect(one({ name: '1bad' })).toThrow("invalid metric name '1bad'");
    expect(one({ samples: [{ labels: { 'bad-label': 'x' }, value: 1 }] })).toThrow("metric ok: invalid label name 'bad-label'");
    expect(one({ samples: [{ labels: { __name__: 'x' }, value: 1 }] })).toThrow("invalid label name '__name__'");
    expect(one({ samples: [{ labels: { a: '1' }, value: 1 }, { labels: { a: '1' }, value: 2 }] })).toThrow('two samples with labels {a="1"}');
    expect(one({ type: 'counter', samples: [{ value: -1 }] })).toThrow('counter value -1 is not a non-negative number');
  });

  it('merges families from several machines in one registry and forgets unregistered ones', () => {
    const reg = new MetricsRegistry();
    const fam = (v: number) => [{ name: 'pseries_vlan_rx_packets_total', help: 'h', type: 'counter' as const, samples: [{ labels: { device: 'net0' }, value: v }] }];
    reg.register(() => fam(1), { labels: { machine: 'a' } });
    const drop = reg.register(() => fam(2), { labels: { machine: 'b' } });
    expect(reg.expose()).toBe(
      '# HELP pseries_vlan_rx_packets_total h\n# TYPE pseries_vlan_rx_packets_total counter\n' +
        'pseries_vlan_rx_packets_total{machine="a",device="net0"} 1\npseries_vlan_rx_packets_total{machine="b",device="net0"} 2\n',
    );
    drop();
    expect(reg.expose()).toContain('{machine="a",device="net0"} 1\n');
    expect(reg.expose()).not.toContain('machine="b"');
    reg.register(() => [{ ...fam(3)[0], type: 'gauge' as const }]);
    expect(() => reg.expose()).toThrow('collected twice with different type or help');
  });

  it('counters advance between scrapes: collect() is called on every scrape', () => {
    const reg = new MetricsRegistry();
    let n = 0;
    reg.register(() => [{ name: 'scrapes_total', help: 'h', type: 'counter', samples: [{ value: ++n }] }]);
    expect(reg.expose()).toContain('scrapes_total 1\n');
    expect(reg.expose()).toContain('scrapes_total 2\n');
  });
});

describe('-metrics HTTP endpoint', () => {
  let srv: MetricsServer | undefined;
  afterEach(async () => {
    await srv?.close();
    srv = undefined;
  });

  const get = (port: number, path: string, method = 'GET') =>
    new Promise<{ status: number; type?: string; body: string }>((resolve, reject) => {
      http.request({ host: '127.0.0.1', port, path, method }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'], body }));
      }).on('error', reject).end();
    });

  it('GET /metrics on loopback returns the exact text with the 0.0.4 content type', async () => {
    const reg = new MetricsRegistry();
    reg.register(() => vlanFamilies(FIXED_STATS), { labels: { machine: 'vm0' } });
    srv = await startMetricsServer(reg, 'tcp:127.0.0.1:0');
    expect(srv.port).toBeGreaterThan(0);
    const r = await get(srv.port, '/metrics');
    expect(r).toEqual({ status: 200, type: CONTENT_TYPE, body: EXPECTED_VLAN });
    expect((await get(srv.port, '/')).status).toBe(404);
    expect((await get(srv.port, '/metrics', 'POST')).status).toBe(405);
    expect(await get(srv.port, '/metrics', 'HEAD')).toEqual({ status: 200, type: CONTENT_TYPE, body: '' });
  });

  it('a failing collector gives 500 with its message, the server keeps serving', async () => {
    const reg = new MetricsRegistry();
    let fail = true;
    reg.register(() => {
      if (fail) throw new Error('machine gone');
      return [];
    });
    srv = await startMetricsServer(reg, 'tcp:127.0.0.1:0');
    expect(await get(srv.port, '/metrics')).toMatchObject({ status: 500, body: 'metrics collection failed: machine gone\n' });
    fail = false;
    expect(await get(srv.port, '/metrics')).toMatchObject({ status: 200, body: '' });
  });
});

describe('machine metrics', () => {
  it('running gauge and instruction counter, exact text', async () => {
    const { machineFamilies } = await import('../../host-ts/metrics/machine-metrics.js');
    const text = renderExposition(machineFamilies({ status: () => 'paused', insnCount: () => 123456789012345n }));
    expect(text).toBe(
      '# HELP pseries_machine_running Whether the vCPU is running (QMP status running)\n# TYPE pseries_machine_running gauge\npseries_machine_running 0\n' +
        '# HELP pseries_cpu_instructions_total Guest instructions executed\n# TYPE pseries_cpu_instructions_total counter\npseries_cpu_instructions_total 123456789012345\n',
    );
    expect(renderExposition(machineFamilies({ status: () => 'running' }))).toBe(
      '# HELP pseries_machine_running Whether the vCPU is running (QMP status running)\n# TYPE pseries_machine_running gauge\npseries_machine_running 1\n',
    );
  });
});
