// End to end: the veth driver guest (guests/veth, ibmveth-like) counts a UDP test stream while the
// machine migrates back and forth between pseries-wasm machines over a Unix socket, mid-stream.
// The guest's own sequence check must show every frame once, in order (stream=N gaps=0 dup=0).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createPseries, type PseriesMachine } from '../../host-ts/machine/pseries.js';
import { migrate, incoming, type Migratable } from '../../host-ts/migration/index.js';
import { withVethArgs } from '../tools/veth-args.js';
import { streamFrame } from '../tools/frame-sender.js';

const dir = mkdtempSync(join(tmpdir(), 'pseries-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const FRAMES = 3000;
const HOPS = 8;
const image = withVethArgs(new Uint8Array(readFileSync(join(__dirname, '../../guests/prebuilt/veth-be.bin'))),
  `count=${FRAMES} pools=512x64,2048x64`);

let console_ = '';
const boot = (pools: boolean): PseriesMachine => createPseries({
  bios: image, ramSize: 64 << 20, vlans: [{ useRxBufferPools: pools }],
  console: (b) => { console_ += Buffer.from(b).toString('latin1'); },
});

/** The network: the next sequence number, offered until the device takes it. */
const net = { seq: 0 };

/** Runs a machine's vCPU in slices on the event loop; between slices, frames arrive. */
class Runner implements Migratable {
  private t: NodeJS.Immediate | undefined;
  done: Promise<void>;
  private finish!: () => void;
  constructor(readonly p: PseriesMachine) {
    this.done = new Promise((r) => { this.finish = r; });
  }
  get isRunning(): boolean { return this.t !== undefined; }
  resume(): void {
    const tick = (): void => {
      for (let k = 0; k < 3 && net.seq < FRAMES; k++) {
        if (!this.p.vlans[0].deliver(streamFrame(64 + (net.seq % 200), net.seq))) break; // pending full: offer it again later
        net.seq++;
      }
      this.p.run({ maxInsns: 20_000 });
      if (this.p.stopped) {
        this.t = undefined;
        this.finish();
        return;
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

const hasCpu = boot(true).hasCpu;

/** Waits for `cond`; fails with the guest's console if it does not come within `ms` (a stuck guest). */
async function waitFor(cond: () => boolean, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms (frames offered ${net.seq}); console:\n${console_}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

describe.skipIf(!hasCpu)('guest driver migrated mid-stream', () => {
  for (const pools of [true, false]) {
    test(`${HOPS} hops back and forth, ${pools ? 'RX pools' : 'legacy buffer list'}: no frame lost or duplicated`, async () => {
      console_ = '';
      net.seq = 0;
      const first = boot(pools);
      while (!console_.includes('veth: ready')) expect(first.run({ maxInsns: 1_000_000 }).reason).toBe('budget');
      let cur = new Runner(first);
      cur.resume();
      for (let hop = 0; hop < HOPS; hop++) {
        const at = Math.floor(((hop + 1) * FRAMES) / (HOPS + 2));
        await waitFor(() => net.seq >= at, 15_000, `hop ${hop}: stream frame ${at} taken`);
        const next = new Runner(boot(pools));
        const inc = incoming(next.p.machine, `unix:${join(dir, `${pools}-${hop}.sock`)}`, { control: next });
        const out = await migrate(cur.p.machine, await inc.listening, { control: cur, batchPages: 1024 }).done;
        expect(out.errorDesc).toBeUndefined();
        expect(out.status).toBe('completed');
        expect((await inc.done).status).toBe('completed');
        expect(cur.isRunning).toBe(false);
        expect(next.isRunning).toBe(true);
        cur = next;
      }
      let finished = false;
      void cur.done.then(() => { finished = true; });
      await waitFor(() => finished, 15_000, 'guest power-off after the stream');
      const result = console_.split('\n').find((l) => l.startsWith('veth: mode=sink'));
      expect(result).toMatch(new RegExp(`^veth: mode=sink rx=${FRAMES} bytes=\\d+ stream=${FRAMES} gaps=0 dup=0 end=0 .* invalid=0 `));
      expect(cur.p.exitStatus).toBe(0);
    });
  }
});
