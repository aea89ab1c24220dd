// Beyond QEMU, each behind a property: H_ADD_LOGICAL_LAN_BUFFERS + H_ILLAN_ATTRIBUTES (add-buffers-hcall),
// the Q3 bound (rx-nofit-timeout), per-size telemetry; plus the host API around them.
import { describe, expect, test } from 'vitest';
import { fixture, BD, H, R, U, NO_DEV } from './fixture.js';
import { createMachine } from '../../host-ts/machine/create-machine.js';
import { vlanOptionsFromProps } from '../../host-ts/devices/vlan-props.js';

/** r5..r12 = the descriptors, zero-filled like the Linux driver (registers otherwise keep stale values). */
const addN = (fx: ReturnType<typeof fixture>, ...bds: bigint[]) =>
  fx.m.hcall(H.H_ADD_LOGICAL_LAN_BUFFERS, U, ...[...bds, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 0n].slice(0, 8));

describe('H_ADD_LOGICAL_LAN_BUFFERS / H_ILLAN_ATTRIBUTES (add-buffers-hcall, default on)', () => {
  test('H_ILLAN_ATTRIBUTES advertises RX multi-buffer support (0x40000) in r4', () => {
    const fx = fixture();
    const r = fx.m.hcall(H.H_ILLAN_ATTRIBUTES, U, 0, 0);
    expect(r.ret).toBe(0n);
    expect(r.out[0]).toBe(0x40000n);
    expect(fx.hc(H.H_ILLAN_ATTRIBUTES, U, 0, 0x8000)).toBe(R.H_PARAMETER); // large send not settable
    expect(fx.hc(H.H_ILLAN_ATTRIBUTES, NO_DEV, 0, 0)).toBe(R.H_PARAMETER);
  });

  test('pools: up to 8 descriptors in r5..r12, ended by the first invalid one; LIFO order as 8 single adds', () => {
    const fx = fixture();
    fx.reg();
    fx.mapRange(0x10000, 0x9000);
    const bds = Array.from({ length: 8 }, (_, i) => BD(0x800, 0x10000 + i * 0x1000));
    expect(addN(fx, ...bds).ret).toBe(0n);
    expect(fx.dev.rxBufs).toBe(8);
    expect(fx.dev.pools()[0].bds).toEqual(bds);
    expect(addN(fx, BD(0x200, 0x18000), 0n, BD(0x200, 0x18000)).ret).toBe(0n);
    expect(fx.dev.rxBufs).toBe(9);
    expect(fx.dev.sizeStats().map((s) => [s.size, s.posted])).toEqual([[0x800, 8n], [0x200, 1n]]);
    expect(fx.dev.state.getBig('flushDeadlineNs')).toBe(500_000n);
  });

  test('legacy: descriptors go to consecutive ring slots', () => {
    const fx = fixture({ useRxBufferPools: false });
    fx.reg();
    fx.mapRange(0x10000, 0x3000);
    expect(addN(fx, BD(0x200, 0x10000), BD(0x200, 0x11000), BD(0x200, 0x12000)).ret).toBe(0n);
    expect(fx.bl(16, 40)).toEqual([
      0x80, 0, 2, 0, 0, 1, 0, 0, 0x80, 0, 2, 0, 0, 1, 0x10, 0, 0x80, 0, 2, 0, 0, 1, 0x20, 0]);
    expect(fx.dev.rxBufs).toBe(3);
  });

  test('check order: unit, parameters of every descriptor, open, capacity; failures add nothing', () => {
    const fx = fixture();
    fx.mapRange(0x10000, 0x2000);
    expect(fx.m.hcall(H.H_ADD_LOGICAL_LAN_BUFFERS, NO_DEV, BD(0x200, 0x10000)).ret).toBe(R.H_PARAMETER);
    expect(addN(fx, 0n).ret).toBe(R.H_PARAMETER);                                  // empty list
    expect(addN(fx, BD(0x200, 0x10000), BD(12, 0x11000)).ret).toBe(R.H_PARAMETER); // 2nd bad, closed
    expect(addN(fx, BD(0x200, 0x10000)).ret).toBe(R.H_RESOURCE);                   // closed
    fx.reg();
    expect(addN(fx, BD(0x200, 0x10000), BD(0x200, 0x40000)).ret).toBe(R.H_PARAMETER); // unmapped
    expect(fx.dev.rxBufs).toBe(0);
    // pools: 5 sizes at most; a batch whose 6th size does not fit adds none of its buffers
    for (const len of [0x200, 0x400, 0x800, 0x1000]) expect(fx.add(len, 0x10000)).toBe(0n);
    expect(addN(fx, BD(0x1800, 0x10000), BD(0x1c00, 0x10000)).ret).toBe(R.H_RESOURCE);
    expect(fx.dev.rxBufs).toBe(4);
    expect(fx.dev.pools().map((p) => p.bufSize)).toEqual([0x200, 0x400, 0x800, 0x1000, 0x7fffffff]);
  });

  test('legacy: a batch past 509 buffers adds none', () => {
    const fx = fixture({ useRxBufferPools: false });
    fx.reg();
    fx.map(0x10000);
    fx.m.hcallBatch(Array.from({ length: 505 }, () => [H.H_ADD_LOGICAL_LAN_BUFFER, U, BD(0x200, 0x10000)]));
    const before = fx.bl(0, 4096);
    expect(addN(fx, ...new Array(5).fill(BD(0x200, 0x10000))).ret).toBe(R.H_RESOURCE);
    expect(fx.bl(0, 4096)).toEqual(before);
    expect(addN(fx, ...new Array(4).fill(BD(0x200, 0x10000))).ret).toBe(0n);
    expect(fx.dev.rxBufs).toBe(509);
  });

  test('legacy: a guest-filled ring (Q2) makes the batch fail and restores the slots it used', () => {
    const fx = fixture({ useRxBufferPools: false });
    fx.reg();
    fx.map(0x10000);
    // The guest itself marks every slot but two VALID: only two free slots remain.
    const page = new Uint8Array(4096);
    for (let o = 16; o <= 4080; o += 8) page[o] = 0x80;
    page[16 + 8 * 100] = 0; page[16 + 8 * 200] = 0;
    fx.write(0x1000 + 16, page.subarray(16, 4088));
    const before = fx.bl(0, 4096);
    expect(addN(fx, BD(0x200, 0x10000), BD(0x200, 0x10000), BD(0x200, 0x10000)).ret).toBe(R.H_RESOURCE);
    expect(fx.bl(0, 4096)).toEqual(before);
    expect(fx.dev.state.getNum('addBufPtr')).toBe(8);
    expect(fx.dev.rxBufs).toBe(0);
  });
});

describe('Q3 bound (rx-nofit-timeout)', () => {
  function jumboStall(timeoutUs?: number) {
    const fx = fixture({ useRxBufferPools: false, ...(timeoutUs === undefined ? {} : { rxNofitTimeoutUs: timeoutUs }) });
    fx.reg();
    fx.mapRange(0x10000, 0x4000);
    for (let i = 0; i < 4; i++) expect(fx.add(0x800, 0x10000 + i * 0x1000)).toBe(0n);
    fx.dev.deliver(fx.frame(9000)); // fits no posted buffer
    fx.dev.deliver(fx.frame(100));
    return fx;
  }

  test('default: a frame no buffer fits is dropped and counted after 10 ms of guest time; receive resumes', () => {
    const fx = jumboStall();
    expect(fx.dev.pendingCount).toBe(2);
    fx.advanceUs(9_999);
    expect(fx.dev.pendingCount).toBe(2);
    expect(fx.counter()).toBe(2n); // arrival + the flush 500 us after the adds
    fx.advanceUs(1);
    expect(fx.dev.pendingCount).toBe(0);
    expect(fx.counter()).toBe(3n); // the final attempt is counted like every no-fit attempt
    expect(fx.dev.counters()).toMatchObject({ rxOversizeDropped: 1n, rxFrames: 1n, rxNoFit: 3n });
    expect(fx.rq(0, 8)).toEqual([0xc0, 0, 0, 8, 0, 0, 0, 100]);
    expect(fx.dev.stalled).toBe(false);
    expect(fx.dev.canReceive()).toBe(true);
  });

  test('a fitting buffer posted in time still receives the frame', () => {
    const fx = jumboStall();
    fx.mapRange(0x20000, 0x3000);
    fx.advanceUs(5_000);
    expect(fx.add(0x3000, 0x20000)).toBe(0n);
    fx.advanceUs(500);
    expect(fx.dev.pendingCount).toBe(0);
    expect(fx.dev.counters()).toMatchObject({ rxOversizeDropped: 0n, rxFrames: 2n });
    fx.advanceUs(20_000);
    expect(fx.dev.counters().rxOversizeDropped).toBe(0n);
  });

  test('QEMU setting (0): the head frame blocks receive for good', () => {
    const fx = jumboStall(0);
    fx.advanceUs(1_000_000);
    expect(fx.dev.pendingCount).toBe(2);
    expect(fx.dev.stalled).toBe(true);
    expect(fx.dev.counters().rxOversizeDropped).toBe(0n);
    expect(fx.m.vclockNs).toBe(1_000_000_000n);
  });
});

describe('telemetry and host API', () => {
  test('per-size telemetry: posted, hits, fallbacks, wasted bytes', () => {
    const fx = fixture();
    fx.reg();
    fx.mapRange(0x10000, 0x20000);
    expect(fx.add(0x200, 0x10000)).toBe(0n);
    expect(fx.add(0x800, 0x11000)).toBe(0n);
    expect(fx.add(0x800, 0x12000)).toBe(0n);
    expect(fx.add(0x10000, 0x20000)).toBe(0n);
    fx.dev.deliverBatch([fx.frame(60), fx.frame(60), fx.frame(1500), fx.frame(1500)]);
    const s = Object.fromEntries(fx.dev.sizeStats().map((e) => [e.size, e]));
    expect(s[0x200]).toMatchObject({ posted: 1n, hits: 1n, fallbacks: 0n, wasted: BigInt(0x200 - 68) });
    expect(s[0x800]).toMatchObject({ posted: 2n, hits: 2n, fallbacks: 1n, wasted: BigInt(0x800 - 68 + 0x800 - 1508) });
    expect(s[0x10000]).toMatchObject({ posted: 1n, hits: 1n, fallbacks: 1n, wasted: BigInt(0x10000 - 1508) });
    expect(fx.dev.counters()).toMatchObject({ rxFrames: 4n, rxBytes: 3120n });
  });

  test('several devices: unit addresses from 0x71000000, each its own TCE table and rings', () => {
    const { machine: m, vlans: [a, b] } = createMachine({ ramSize: 1 << 20, vlans: [{}, { mac: '52:54:00:12:34:57', useRxBufferPools: false }] });
    expect([a.reg, b.reg]).toEqual([0x71000000, 0x71000001]);
    expect([...a.mac]).toEqual([0x52, 0x54, 0, 0x12, 0x34, 0x56]);
    const c = createMachine({ ramSize: 1 << 20, vlans: [{}, {}] }).vlans[1];
    expect([...c.mac]).toEqual([0x52, 0x54, 0, 0x12, 0x34, 0x57]); // default MACs differ per device
    expect(m.hcall(H.H_PUT_TCE, a.liobn, 0, 0x3003).ret).toBe(0n);
    expect([a.tce(0), b.tce(0)]).toEqual([0x3003n, 0n]);
    expect(m.vio.dtNode().children.map((c) => c.name)).toEqual(['l-lan@71000000', 'l-lan@71000001']);
    a.deliver(new Uint8Array(60));
    expect([a.pendingCount, b.pendingCount]).toEqual([1, 0]);
  });

  test('TX staging full: H_SEND falls back to the host, which drains and completes the call', () => {
    const fx = fixture();
    fx.reg();
    fx.mapRange(0x10000, 0x10000);
    const sent: number[] = [];
    const stats = { rxFrames: 0, rxBytes: 0, rxDropped: 0, txFrames: 0, txBytes: 0, txDropped: 0 };
    fx.dev.attachBackend({ id: 'sink', stats, attach() {}, transmit: (f) => sent.push(f.length), close: async () => {} });
    // 20 x 64 KiB > the 1 MiB staging region: without the fallback frames would be lost.
    const res = fx.m.hcallBatch(Array.from({ length: 20 }, () => [H.H_SEND_LOGICAL_LAN, U, BD(0x8000, 0x10000), BD(0x8000, 0x18000)]));
    expect(res).toEqual(new Array(20).fill(0n));
    expect(sent).toEqual(new Array(20).fill(65536));
    expect(fx.m.state.getNum('hcallExits')).toBe(1);
  });

  test('NetPort: canReceive follows buffers and the stall; onCanReceive fires when capacity returns', () => {
    const fx = fixture();
    let wakes = 0;
    fx.dev.onCanReceive(() => wakes++);
    expect(fx.dev.canReceive()).toBe(false);
    fx.reg();
    fx.map(0x10000);
    expect(fx.add(0x200, 0x10000)).toBe(0n);
    expect(fx.dev.canReceive()).toBe(true);
    expect(wakes).toBe(1);
    expect(fx.dev.receive([fx.frame(60), fx.frame(60)])).toBe(2);
    expect(fx.dev.canReceive()).toBe(false); // second frame pending (no buffer)
    expect(fx.add(0x200, 0x10000)).toBe(0n);
    fx.advanceUs(500);
    expect(fx.dev.pendingCount).toBe(0);
    expect(fx.dev.canReceive()).toBe(false); // buffers used up again
    expect(fx.add(0x200, 0x10000)).toBe(0n);
    expect(wakes).toBe(2);
  });

  test('CLI property parsing', () => {
    expect(vlanOptionsFromProps({ 'use-rx-buffer-pools': 'off', 'add-buffers-hcall': 'on', 'rx-nofit-timeout': '0', reg: '0x71000005', mac: '02:00:00:00:00:01' }))
      .toEqual({ useRxBufferPools: false, addBuffersHcall: true, rxNofitTimeoutUs: 0, reg: 0x71000005, mac: '02:00:00:00:00:01' });
    expect(() => vlanOptionsFromProps({ 'use-rx-buffer-pools': 'maybe' })).toThrow(/expects on\/off/);
    expect(() => vlanOptionsFromProps({ bogus: '1' })).toThrow(/unknown property 'bogus'/);
    expect(() => createMachine({ ramSize: 1 << 20, vlans: [{ mac: 'zz' }] })).toThrow(/invalid MAC/);
    expect(() => createMachine({ ramSize: 1 << 20, vlans: [{ reg: 0x71000000 }, { reg: 0x71000000 }] })).toThrow(/already in use/);
  });
});

describe('telemetry shape for QMP / metrics', () => {
  test('stats(): device counters and per-pool counters', () => {
    const fx = fixture({ id: 'net0' });
    fx.reg();
    fx.mapRange(0x10000, 0x2000);
    expect(fx.add(0x200, 0x10000)).toBe(0n);
    expect(fx.add(0x800, 0x11000)).toBe(0n);
    fx.dev.deliver(fx.frame(100));
    const s = fx.dev.stats();
    expect(s).toMatchObject({ id: 'net0', unitAddress: U, mac: '52:54:00:12:34:56', open: true, rxBufferPools: true, rxBuffers: 1 });
    expect(s.counters).toMatchObject({ rxFrames: 1n, rxBytes: 100n, rxNoBuffer: 0n });
    expect(s.pools).toEqual([
      { index: 0, bufferSize: 0x200, buffers: 0, counters: { posted: 1n, hits: 1n, fallbacks: 0n, wastedBytes: 404n, dropped: 0n } },
      { index: 1, bufferSize: 0x800, buffers: 1, counters: { posted: 1n, hits: 0n, fallbacks: 0n, wastedBytes: 0n, dropped: 0n } },
    ]);
    expect(s.bufferSizes).toEqual([]);
  });
});

describe('trace points', () => {
  test('the debug build reports register/retry/flush; the release build has none', () => {
    for (const build of ['debug', 'release'] as const) {
      const { machine: m } = createMachine({ ramSize: 1 << 20, build, vlans: [{ reg: U }] });
      const seen: number[] = [];
      m.onTrace = (code) => seen.push(code);
      m.hcall(H.H_PUT_TCE, U, 0x1000, 0x1003);
      m.hcall(H.H_PUT_TCE, U, 0x2000, 0x2003);
      m.hcall(H.H_PUT_TCE, U, 0x3000, 0x3003);
      m.hcall(H.H_REGISTER_LOGICAL_LAN, U, 0x1000, 0x8000_0100_0000_3000n, 0x2000, 0);
      expect(seen).toEqual(build === 'debug' ? [0x100, 0x104] : []);
    }
  });
});

describe('VM run state', () => {
  test('stopped: arrivals queue without reaching the device; resume flushes them', () => {
    const fx = fixture();
    fx.reg();
    fx.map(0x10000);
    expect(fx.add(0x200, 0x10000)).toBe(0n);
    fx.dev.setVmRunning(false);
    expect(fx.dev.canReceive()).toBe(false);
    expect(fx.dev.deliver(fx.frame(60))).toBe(true);
    expect(fx.dev.pendingCount).toBe(1);
    expect(fx.rq(0, 16)).toEqual(new Array(16).fill(0));
    expect(fx.dev.counters().rxFrames).toBe(0n);
    fx.dev.setVmRunning(true);
    expect(fx.dev.pendingCount).toBe(0);
    expect(fx.rq(0, 8)).toEqual([0xc0, 0, 0, 8, 0, 0, 0, 60]);
    expect(fx.counter()).toBe(0n);
  });
});
