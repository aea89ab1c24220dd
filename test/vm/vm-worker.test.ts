// Machines in worker threads with the Vm API from the main thread: frames cross in batches,
// console and events arrive, control calls work, typed errors cross the thread, and machines in
// several workers run at once with their own results.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createVmWorker, type WorkerVm } from '../../host-ts/vm/vm-worker.js';
import { VmBootError, VmConfigError, VmNetdevError, VmStateError } from '../../host-ts/vm/errors.js';
import type { LinkEvent } from '../../host-ts/vm/vm.js';
import { packFrames, unpackFrames } from '../../host-ts/vm/frame-batch.js';
import type { MachineConfigInput } from '../../host-ts/config/machine-config.js';
import { workloadImage } from '../../examples/workload-image.js';
import { streamFrame, streamSeq } from '../tools/frame-sender.js';
import { until as waitUntil } from '../support/until.js';

const GUESTS = join(__dirname, '../../guests/prebuilt');
const EXPECTED: Record<string, string> = JSON.parse(readFileSync(join(__dirname, 'data/qemu-workload-iterations.json'), 'utf8'));
const serial: MachineConfigInput = { nodefaults: true, chardevs: [{ backend: 'stdio', id: 's0', signal: false }], vtys: [{ chardev: 's0' }] };

function collect(vm: WorkerVm): { text: () => string } {
  let out = '';
  vm.console.output.on('data', (b: Buffer) => { out += b.toString('latin1'); });
  return { text: () => out };
}

const until = (cond: () => boolean, what: string, ms = 15_000) => waitUntil(cond, what, ms);

describe('frame batches', () => {
  test('pack/unpack round trip keeps order, lengths and bytes; views share one buffer', () => {
    const frames = [Uint8Array.of(1, 2, 3), new Uint8Array(0), Uint8Array.from({ length: 1514 }, (_, i) => i & 0xff)];
    const buf = packFrames(frames);
    expect(buf.byteLength).toBe(4 + (4 + 4) + 4 + (4 + 1516));
    const back = unpackFrames(buf);
    expect(back.map((f) => [...f])).toEqual(frames.map((f) => [...f]));
    expect(back.every((f) => f.buffer === buf)).toBe(true);
  });

  test('a malformed batch is refused with its position', () => {
    const buf = packFrames([Uint8Array.of(1, 2, 3, 4)]);
    new DataView(buf).setUint32(4, 100, true);
    expect(() => unpackFrames(buf)).toThrow('frame 0 (100 bytes) runs past the batch');
    expect(() => unpackFrames(new ArrayBuffer(2))).toThrow('frame batch shorter than its header');
  });
});

describe('createVmWorker', () => {
  test('veth echo in a worker: frames in and out across the thread, link events, final counters', async () => {
    const vm = await createVmWorker({
      ...serial,
      kernel: join(GUESTS, 'veth-le.elf'),
      append: 'mode=echo count=20',
      netdevs: [{ type: 'in-process', id: 'n0' }],
      nics: [{ netdev: 'n0', id: 'lan0' }],
    }, { idle: 'warp' });
    const out = collect(vm);
    const links: LinkEvent[] = [];
    vm.on('link', (e: LinkEvent) => links.push(e));
    const seqs: number[] = [];
    vm.net('n0').on('frame', (f: Uint8Array) => seqs.push(streamSeq(f) ?? -1));
    expect(vm.status()).toBe('prelaunch');
    await vm.start();
    await until(() => out.text().includes('veth: ready'), 'veth: ready');
    // two event-loop turns: two batches
    vm.net('n0').send(...Array.from({ length: 10 }, (_, i) => streamFrame(200, i)));
    await new Promise((r) => setImmediate(r));
    vm.net('n0').send(...Array.from({ length: 10 }, (_, i) => streamFrame(200, 10 + i)));
    expect(await vm.wait()).toEqual({ reason: 'power-off', exitStatus: 0 });
    expect(out.text()).toMatch(/veth: mode=echo rx=20 bytes=4000 stream=20 gaps=0 dup=0 .* tx=20 txfail=0 /);
    expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect(links.map((l) => l.up)).toEqual([true, false]);
    const st = await vm.stats();
    expect(st.runState).toBe('shutdown');
    expect(st.netdevs.n0).toEqual({ rxFrames: 20, rxBytes: 4000, rxDropped: 0, txFrames: 20, txBytes: 4000, txDropped: 0 });
    expect(st.vlans[0].counters.rxFrames).toBe(20n);
    expect(await vm.metrics()).toContain('pseries_vlan_tx_frames_total{device="lan0"} 20\n');
    await expect(vm.resume()).rejects.toThrow(VmStateError);
  });

  test('pause/resume/stop from the main thread; console input crosses', async () => {
    const vm = await createVmWorker({ ...serial, bios: join(GUESTS, 'echo-be.bin') }, { sliceInsns: 20_000 });
    const out = collect(vm);
    const states: string[] = [];
    vm.on('state', (s: string) => states.push(s));
    await vm.start();
    await until(() => out.text().includes("'q' ends"), 'the banner');
    await vm.pause();
    const a = (await vm.stats()).insns;
    await new Promise((r) => setTimeout(r, 20));
    expect((await vm.stats()).insns).toBe(a);
    await vm.resume();
    await vm.write('xyq');
    expect(await vm.wait()).toEqual({ reason: 'power-off', exitStatus: 0 });
    expect(out.text().endsWith('echo: 3 bytes\n')).toBe(true);
    expect(states).toEqual(['running', 'paused', 'running', 'shutdown']);
  });

  test('typed errors cross the thread', async () => {
    await expect(createVmWorker({ ramSize: 3 << 20 })).rejects.toThrow(new VmConfigError('Memory size 0x300000 is not aligned to 256 MiB'));
    await expect(createVmWorker({ kernel: '/nonexistent/k' })).rejects.toBeInstanceOf(VmBootError);
    const vm = await createVmWorker({ bios: join(GUESTS, 'hello-be.bin') });
    expect(() => vm.net('x')).toThrow(VmNetdevError);
    expect((await vm.stop()).reason).toBe('quit');
  });

  test('three workers at once, each its own machine and result', async () => {
    const vms = await Promise.all([3, 5, 7].map((n) =>
      createVmWorker({ ...serial, ramSize: 256 << 20, kernel: 'w.elf' }, { files: { 'w.elf': workloadImage(n) } })));
    const outs = vms.map(collect);
    await Promise.all(vms.map((v) => v.start()));
    const exits = await Promise.all(vms.map((v) => v.wait()));
    expect(exits.map((e) => e.reason)).toEqual(['power-off', 'power-off', 'power-off']);
    expect(outs.map((o) => o.text())).toEqual([EXPECTED['3'], EXPECTED['5'], EXPECTED['7']]);
  });
});
