// Migration mid-traffic through the real LAN device: frames keep arriving while pre-copy runs (the
// device's writes into guest RAM go through core-as's dirty-marking stores), the machine hops
// source -> destination several times, and in the end the RX queue holds every accepted frame
// exactly once, in order, across all hops.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { migrate, incoming, type Migratable } from '../../host-ts/migration/index.js';
import { fixture, BD, H, U, type Fx } from '../vlan/fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'pseries-traffic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const BUFS = 300;
const BUF = 0x800;
const BUF_IOVA = 0x10000;
const RQ_IOVA = 0x3000;
const RQ_LEN = 16 * 1024; // 1024 entries: no wrap in this test

function node(): Fx {
  return fixture({}, 4 << 20);
}

/** Delivers frames carrying sequence numbers while running; counts the ones the device accepted. */
class Traffic implements Migratable {
  private t: NodeJS.Immediate | undefined;
  constructor(public fx: Fx, public seq: number, private readonly perHop: number) {}
  private sentThisHop = 0;
  get isRunning(): boolean { return this.t !== undefined; }
  resume(): void {
    this.sentThisHop = 0;
    const tick = (): void => {
      if (this.sentThisHop < this.perHop) {
        const f = new Uint8Array(64);
        new DataView(f.buffer).setUint32(0, this.seq);
        expect(this.fx.dev.deliver(f)).toBe(true); // buffers are always available: accepted now
        this.seq++;
        this.sentThisHop++;
      }
      this.t = setImmediate(tick);
    };
    this.t ??= setImmediate(tick);
  }
  pause(): void {
    if (this.t) clearImmediate(this.t);
    this.t = undefined;
  }
}

test('6 hops mid-traffic: every accepted frame is in the RX queue once, in order', async () => {
  const src = node();
  src.mapRange(RQ_IOVA, RQ_LEN);
  src.reg(BD(RQ_LEN, RQ_IOVA));
  src.mapRange(BUF_IOVA, BUFS * BUF);
  for (let i = 0; i < BUFS; i++) {
    const iova = BUF_IOVA + i * BUF;
    src.write(iova, [0, 0, 0, 0, 0, 0, i >> 8, i & 0xff]); // correlator = buffer index
    expect(src.hc(H.H_ADD_LOGICAL_LAN_BUFFER, U, BD(BUF, iova))).toBe(0n);
  }
  const traffic = new Traffic(src, 0, 40);
  let cur = src;
  for (let hop = 0; hop < 6; hop++) {
    const dst = node();
    const inc = incoming(dst.m, `unix:${join(dir, `hop${hop}.sock`)}`, { control: undefined });
    traffic.fx = cur;
    traffic.resume();
    const out = await migrate(cur.m, await inc.listening, { control: traffic, batchPages: 16, maxDowntimeMs: 0 }).done;
    expect(out.status).toBe('completed');
    expect((await inc.done).status).toBe('completed');
    expect(traffic.isRunning).toBe(false);
    cur = dst;
  }
  // Frames after the last hop, on the final destination.
  traffic.fx = cur;
  for (let k = 0; k < 5; k++) {
    const f = new Uint8Array(64);
    new DataView(f.buffer).setUint32(0, traffic.seq++);
    expect(cur.dev.deliver(f)).toBe(true);
  }
  const total = traffic.seq;
  expect(total).toBeGreaterThan(6 * 5);
  expect(cur.dev.state.getNum('rxBufs')).toBe(BUFS - total);
  expect(cur.dev.state.getBig('rxqPtr')).toBe(BigInt(16 * total));
  const seen: number[] = [];
  for (let k = 0; k < total; k++) {
    const e = cur.mem(RQ_IOVA + 16 * k, 16);
    expect(e.slice(0, 8)).toEqual([0xc0, 0, 0, 8, 0, 0, 0, 64]);
    const buf = (e[14] << 8) | e[15];
    const data = cur.mem(BUF_IOVA + buf * BUF + 8, 4);
    seen.push(((data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3]) >>> 0);
  }
  expect(seen).toEqual(Array.from({ length: total }, (_, k) => k));
  expect(cur.mem(RQ_IOVA + 16 * total, 16)).toEqual(new Array(16).fill(0));
});
