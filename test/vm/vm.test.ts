// The embedding API in one process: createVm from a MachineConfig, the guest's life (start, pause,
// resume, reset, stop, power-off), console streams, in-process frames with link events, counters
// and Prometheus text, typed errors, and eight machines at once each with its own memory.
import { describe, expect, test } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createSocket } from 'node:dgram';
import { join } from 'node:path';
import { createVm, type Vm, type VmExit, type LinkEvent } from '../../host-ts/vm/vm.js';
import { VmBootError, VmConfigError, VmError, VmNetdevError, VmStateError } from '../../host-ts/vm/errors.js';
import type { MachineConfigInput } from '../../host-ts/config/machine-config.js';
import { workloadImage } from '../../examples/workload-image.js';
import { streamFrame, streamSeq } from '../tools/frame-sender.js';
import * as E from '../isa/encode.js';
import { MetricsRegistry } from '../../host-ts/metrics/registry.js';
import { QmpTestClient } from '../qmp/qmp-test-client.js';
import { migrate } from '../../host-ts/migration/index.js';
import { until as waitUntil } from '../support/until.js';

const GUESTS = join(__dirname, '../../guests/prebuilt');
const QEMU = join(__dirname, '../boot/data');
const EXPECTED: Record<string, string> = JSON.parse(readFileSync(join(__dirname, 'data/qemu-workload-iterations.json'), 'utf8'));
const withoutNvram = (s: string) => s.split('\n').filter((l) => !l.includes('/vdevice/nvram@')).join('\n');

/** -nodefaults -serial stdio: one vty whose output is vm.console.output. */
const serial: MachineConfigInput = { nodefaults: true, chardevs: [{ backend: 'stdio', id: 's0', signal: false }], vtys: [{ chardev: 's0' }] };

function collect(vm: Vm): { text: () => string } {
  let out = '';
  vm.console.output.on('data', (b: Buffer) => { out += b.toString('latin1'); });
  return { text: () => out };
}

const until = (cond: () => boolean, what: string, ms = 10_000) => waitUntil(cond, what, ms);

describe('createVm', () => {
  test('hello-be.bin: created in prelaunch, runs to power-off, prints what QEMU prints', async () => {
    const vm = await createVm({ ...serial, bios: join(GUESTS, 'hello-be.bin') });
    const out = collect(vm);
    const states: string[] = [];
    vm.on('state', (s: string) => states.push(s));
    const offs: VmExit[] = [];
    vm.on('powered-off', (e: VmExit) => offs.push(e));
    expect(vm.status()).toBe('prelaunch');
    await new Promise((r) => setTimeout(r, 10));
    expect(vm.stats().insns).toBe(0n);
    vm.start();
    expect(await vm.wait()).toEqual({ reason: 'power-off', exitStatus: 0 });
    expect(out.text()).toBe(withoutNvram(readFileSync(join(QEMU, 'qemu-hello-be.bin.out'), 'latin1')));
    expect(states).toEqual(['running', 'shutdown']);
    expect(offs).toEqual([{ reason: 'power-off', exitStatus: 0 }]);
    expect(vm.status()).toBe('shutdown');
    const st = vm.stats();
    expect(st.console.bytesOut).toBe(Buffer.byteLength(out.text(), 'latin1'));
    expect(st.unimplemented).toEqual([]);
    expect(vm.metrics()).toContain(`pseries_cpu_instructions_total ${st.insns}\n`);
    expect(() => vm.resume()).toThrow(VmStateError);
    expect(() => vm.resume()).toThrow('cannot resume: the machine is powered off (power-off); create a new one');
  });

  test('pause freezes the vCPU and console input waits; resume goes on; stop() quits', async () => {
    const vm = await createVm({ ...serial, bios: join(GUESTS, 'echo-be.bin') }, { sliceInsns: 20_000 });
    const out = collect(vm);
    vm.start();
    await until(() => out.text().includes("'q' ends"), 'the echo banner');
    vm.pause();
    expect(vm.status()).toBe('paused');
    const insns = vm.stats().insns;
    vm.write('ab');
    await new Promise((r) => setTimeout(r, 20));
    expect(vm.stats().insns).toBe(insns);
    expect(vm.stats().console.bytesIn).toBe(0);
    vm.resume();
    await until(() => vm.stats().console.bytesIn === 2, 'the guest reading the input');
    expect(await vm.stop()).toEqual({ reason: 'quit', exitStatus: 0 });
    expect(vm.status()).toBe('shutdown');
    expect(() => vm.pause()).toThrow(VmStateError);
  });

  test('reset: the guest boots again from its images (QMP system_reset) and prints its banner twice', async () => {
    const vm = await createVm({ ...serial, bios: join(GUESTS, 'echo-be.bin') }, { sliceInsns: 20_000 });
    const out = collect(vm);
    const banner = "echo: send bytes, 'q' ends\n";
    vm.start();
    await until(() => out.text().includes(banner), 'the banner');
    vm.reset();
    await until(() => out.text().split(banner).length === 3, 'the second banner');
    vm.write('q');
    expect(await vm.wait()).toEqual({ reason: 'power-off', exitStatus: 0 });
    expect(out.text().endsWith('echo: 1 bytes\n')).toBe(true);
  });

  test('in-process frames: the veth guest echoes a test stream; link up/down events; counters agree', async () => {
    const vm = await createVm({
      ...serial,
      kernel: join(GUESTS, 'veth-le.elf'),
      append: 'mode=echo count=10',
      netdevs: [{ type: 'in-process', id: 'n0' }],
      nics: [{ netdev: 'n0', id: 'lan0' }],
    }, { idle: 'warp' });
    const out = collect(vm);
    const links: LinkEvent[] = [];
    vm.on('link', (e: LinkEvent) => links.push(e));
    const net = vm.net('n0');
    const seqs: number[] = [];
    net.on('frame', (f) => seqs.push(streamSeq(f) ?? -1));
    vm.start();
    await until(() => out.text().includes('veth: ready'), 'veth: ready');
    expect(net.send(...Array.from({ length: 10 }, (_, i) => streamFrame(100, i)))).toBe(true);
    expect(await vm.wait()).toEqual({ reason: 'power-off', exitStatus: 0 });
    expect(out.text()).toMatch(/veth: mode=echo rx=10 bytes=1000 stream=10 gaps=0 dup=0 end=0 .* dropped=0 pool0=10 pool1=0 pool2=0 addfail=0 invalid=0 tx=10 txfail=0 /);
    expect(seqs).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(links).toEqual([
      { device: 'lan0', unitAddress: 0x71000001, up: true },
      { device: 'lan0', unitAddress: 0x71000001, up: false },
    ]);
    const st = vm.stats();
    expect(st.netdevs.n0).toEqual({ rxFrames: 10, rxBytes: 1000, rxDropped: 0, txFrames: 10, txBytes: 1000, txDropped: 0 });
    expect(st.vlans[0].id).toBe('lan0');
    expect(st.vlans[0].counters.rxFrames).toBe(10n);
    expect(st.vlans[0].counters.txFrames).toBe(10n);
    // the guest freed the LAN at the end: its pools are gone, their telemetry stays by buffer size
    expect(st.vlans[0].pools).toEqual([]);
    expect(st.vlans[0].bufferSizes.map((b) => [b.size, b.counters.hits, b.counters.posted])).toEqual([[65536, 0n, 256n], [2048, 0n, 512n], [512, 10n, 266n]]); // 266 = 256 + 10 copybreak re-adds
    expect(vm.metrics()).toContain('pseries_vlan_rx_frames_total{device="lan0"} 10\n');
  });

  test('eight machines at once, each its own memory, each prints its own QEMU-checked result', async () => {
    const registry = new MetricsRegistry();
    const vms = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map((n) =>
      createVm({ ...serial, ramSize: 256 << 20, kernel: 'workload.elf' }, { files: { 'workload.elf': workloadImage(n) }, sliceInsns: 100_000, registry, labels: { vm: `w${n}` } })));
    const outs = vms.map(collect);
    expect(new Set(vms.map((v) => v.pseries.machine.memory)).size).toBe(8);
    vms.forEach((v) => v.start());
    // interleaved on one event loop: every machine has run before any finishes
    await until(() => vms.every((v) => v.stats().slices > 0), 'every machine to run a slice');
    expect(vms.filter((v) => v.status() === 'shutdown').length).toBeLessThan(8);
    const exits = await Promise.all(vms.map((v) => v.wait()));
    expect(exits.every((e) => e.reason === 'power-off' && e.exitStatus === 0)).toBe(true);
    outs.forEach((o, i) => expect(o.text()).toBe(EXPECTED[String(i + 1)]));
    // instruction counts grow with the work
    const insns = vms.map((v) => v.stats().insns);
    for (let i = 1; i < 8; i++) expect(insns[i]).toBeGreaterThan(insns[i - 1]);
    // a shared registry forgets each machine when it ends
    expect(registry.expose()).toBe('');
  });
});

/** A -bios image: `first` words at 0x100; the 0x700 handler powers off through RTAS (token 0x2003). */
function biosImage(first: number[]): Uint8Array {
  const img = new Uint8Array(0x800);
  const dv = new DataView(img.buffer);
  const put = (at: number, words: number[]) => words.forEach((w, k) => dv.setUint32(at + 4 * k, w >>> 0, false));
  put(0x100, first);
  put(0x700, [
    E.addi(5, 0, 0x200), E.addis(6, 0, 0), E.ori(6, 6, 0x2003), E.stw(6, 5, 0), E.addi(6, 0, 2), E.stw(6, 5, 4),
    E.addi(6, 0, 1), E.stw(6, 5, 8), E.addi(6, 0, 0), E.stw(6, 5, 12), E.stw(6, 5, 16),
    E.X(5, 4, 5, 444), E.addi(3, 0, 0), E.ori(3, 3, 0xf000), E.SC1, E.b(0),
  ]);
  return img;
}

describe('guest trouble as events', () => {
  test("an unimplemented instruction: 'unimplemented' event by mnemonic, then the guest's own power-off", async () => {
    const vm = await createVm({ bios: 'b.bin' }, { files: { 'b.bin': biosImage([0x00000000]) } });
    const seen: { mnemonic: string; count: number; lastNip: bigint }[][] = [];
    vm.on('unimplemented', (l: { mnemonic: string; count: number; lastNip: bigint }[]) => seen.push(l.map(({ mnemonic, count, lastNip }) => ({ mnemonic, count, lastNip }))));
    vm.start();
    expect(await vm.wait()).toEqual({ reason: 'power-off', exitStatus: 0 });
    expect(seen).toEqual([[{ mnemonic: 'attn', count: 1, lastNip: 0x100n }]]);
    expect(vm.metrics()).toContain('pseries_cpu_unimplemented_total 1\n');
  });

  test("a failure inside the run loop: 'guest-panic', QMP state guest-panicked, exit status 1", async () => {
    // r3 = 0xf00f; sc 1: a host hypercall whose handler fails
    const vm = await createVm({ bios: 'b.bin' }, { files: { 'b.bin': biosImage([E.addi(3, 0, 0), E.ori(3, 3, 0xf00f), E.SC1, E.b(0)]) } });
    vm.pseries.machine.registerHcall(0xf00f, () => { throw new Error('device model bug'); });
    const panics: string[] = [];
    vm.on('guest-panic', (e: Error) => panics.push(e.message));
    const events: string[] = [];
    vm.on('qmp-event', (e: { event: string }) => events.push(e.event));
    vm.start();
    const exit = await vm.wait();
    expect(exit.reason).toBe('panic');
    expect(exit.exitStatus).toBe(1);
    expect(exit.error?.message).toBe('device model bug');
    expect(panics).toEqual(['device model bug']);
    expect(events).toEqual(['RESUME', 'GUEST_PANICKED']);
    expect(vm.status()).toBe('guest-panicked');
  });
});

describe('control surfaces of a Vm', () => {
  test('-qmp and -metrics from the config: QMP stop/cont reach the Vm, the endpoint serves its counters', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vm-qmp-'));
    const sock = join(dir, 'q.sock');
    const vm = await createVm({
      ...serial,
      bios: join(GUESTS, 'echo-be.bin'),
      netdevs: [{ type: 'in-process', id: 'n0' }],
      nics: [{ netdev: 'n0', id: 'lan0' }],
      qmp: [{ addr: { type: 'unix', path: sock }, server: true, wait: false }],
      metrics: 'tcp:127.0.0.1:0',
    }, { sliceInsns: 20_000 });
    const states: string[] = [];
    vm.on('state', (st: string) => states.push(st));
    const c = await QmpTestClient.connect(sock);
    await c.waitLines(1);
    await c.execute('qmp_capabilities');
    expect((await c.execute('query-status')).answer.return.status).toBe('prelaunch');
    vm.start();
    expect((await c.execute('query-status')).answer.return.status).toBe('running');
    await c.execute('stop');
    expect(vm.status()).toBe('paused');
    expect((await c.execute('query-vlan-stats')).answer.return.map((d: { device: string }) => d.device)).toEqual(['lan0']);
    await c.execute('cont');
    const res = await fetch(`http://127.0.0.1:${vm.metricsPort}/metrics`);
    expect(await res.text()).toContain('pseries_vlan_open{device="lan0"} 0\n');
    vm.write('q');
    expect(await vm.wait()).toEqual({ reason: 'power-off', exitStatus: 0 });
    expect(states).toEqual(['running', 'paused', 'running', 'shutdown']);
    await c.closedPromise();
    expect(existsSync(sock)).toBe(false);
    await expect(fetch(`http://127.0.0.1:${vm.metricsPort}/metrics`)).rejects.toThrow();
  });
});

describe('-incoming through the API', () => {
  test('a machine saved to a file continues in another Vm: inmigrate, then start() runs it', async () => {
    const a = await createVm({ ...serial, bios: join(GUESTS, 'echo-be.bin') }, { sliceInsns: 20_000 });
    const outA = collect(a);
    a.start();
    await until(() => outA.text().includes("'q' ends"), 'the banner');
    a.write('ab');
    await until(() => outA.text().includes('[0x61 0x62]'), 'the echo');
    a.pause();
    const file = join(mkdtempSync(join(tmpdir(), 'vm-inc-')), 'state.bin');
    expect((await migrate(a.pseries.machine, `file:${file}`).done).status).toBe('completed');
    await a.stop();

    const b = await createVm({ ...serial, bios: join(GUESTS, 'echo-be.bin'), incoming: `file:${file}` }, { sliceInsns: 20_000 });
    const outB = collect(b);
    expect(b.status()).toBe('inmigrate');
    b.start(); // QEMU's autostart: runs once the state is in
    await until(() => b.status() === 'running', 'the loaded guest running');
    expect(b.incoming!.status().status).toBe('completed');
    b.write('q');
    expect(await b.wait()).toEqual({ reason: 'power-off', exitStatus: 0 });
    expect(outB.text()).toBe('[0x71]\necho: 3 bytes\n'); // the count includes A's two bytes
  });

  test('a bad -incoming URI is a VmConfigError before anything opens', async () => {
    await expect(createVm({ bios: join(GUESTS, 'hello-be.bin'), incoming: 'exec:cat' }))
      .rejects.toThrow(new VmConfigError("-incoming: invalid migration URI 'exec:cat': expected tcp:HOST:PORT, unix:PATH, file:PATH or defer"));
  });
});

describe('typed errors', () => {
  test('bad configuration: VmConfigError with the option named', async () => {
    const e = await createVm({ ramSize: 100 << 20, bios: 'x' }).catch((x) => x);
    expect(e).toBeInstanceOf(VmConfigError);
    expect(e).toBeInstanceOf(VmError);
    expect(e.code).toBe('config');
    expect(e.message).toBe('Memory size 0x6400000 is not aligned to 256 MiB');
    await expect(createVm({ nics: [{ netdev: 'nope' }] })).rejects.toThrow("Property 'spapr-vlan.netdev' can't find value 'nope'");
  });

  test('missing image: VmBootError naming role and path', async () => {
    const e = await createVm({ kernel: '/nonexistent/vmlinux' }).catch((x) => x);
    expect(e).toBeInstanceOf(VmBootError);
    expect(e.message).toMatch(/^could not load kernel '\/nonexistent\/vmlinux': ENOENT/);
  });

  test('a netdev that cannot open: VmNetdevError; nothing stays bound', async () => {
    const busy = createSocket('udp4');
    await new Promise<void>((r) => busy.bind(0, '127.0.0.1', () => r()));
    const port = busy.address().port;
    const e = await createVm({
      bios: join(GUESTS, 'hello-be.bin'),
      netdevs: [{ type: 'in-process', id: 'a' }, { type: 'udp', id: 'u', local: { host: '127.0.0.1', port }, remote: { host: '127.0.0.1', port: 9 } }],
    }).catch((x) => x);
    busy.close();
    expect(e).toBeInstanceOf(VmNetdevError);
    expect(e.message).toContain('Address already in use');
  });

  test('vm.net on an unknown or non-in-process netdev', async () => {
    const vm = await createVm({ bios: join(GUESTS, 'hello-be.bin'), netdevs: [{ type: 'in-process', id: 'a' }] });
    expect(() => vm.net('b')).toThrow(new VmNetdevError("no netdev 'b' (netdevs: a)"));
    await vm.stop();
  });
});
