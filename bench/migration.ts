// Migration of a 512 MiB guest between two machines in one process over a Unix socket: total time
// and downtime, idle and while the guest writes memory; plus snapshot save/load of the same RAM.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Machine } from '../host-ts/machine/machine.js';
import { VIO_KIND } from '../host-ts/layout/papr.js';
import { view } from '../host-ts/layout/state-view.js';
import { migrate, incoming, saveMachine, loadMachine, type Migratable, type MigrationStatus } from '../host-ts/migration/index.js';

const RAM = 512 * 1024 * 1024;

function machine(): Machine {
  const m = new Machine({ ramSize: RAM });
  const bus = m.vio;
  bus.allocate({ kind: VIO_KIND.VIO_KIND_VTY, signalMask: 0n, dma: false, kindIndex: 0 });
  const slot = bus.allocate({ kind: VIO_KIND.VIO_KIND_VLAN, signalMask: 1n, dma: true, kindIndex: 0 });
  const v = view(m.memory, 'vlan', 0);
  v.set('vio', slot.index);
  v.set('poolsEnabled', 1);
  for (let p = 0; p < 5; p++) v.set('poolBufSize', 0x7fffffff, p);
  return m;
}

/** Writes `pagesPerTurn` random pages per event-loop turn through the dirty-marking host path. */
class Writer implements Migratable {
  private t: NodeJS.Immediate | undefined;
  private seed = 1;
  protected slow = 0;
  private credit = 0;
  constructor(private readonly m: Machine, private readonly pagesPerTurn: number, private readonly hotPages: number) {}
  get isRunning(): boolean { return this.t !== undefined; }
  resume(): void {
    const tick = (): void => {
      this.credit += 1 - this.slow;
      if (this.credit < 1) { this.t = setImmediate(tick); return; }
      this.credit -= 1;
      for (let k = 0; k < this.pagesPerTurn; k++) {
        this.seed = (Math.imul(this.seed, 1103515245) + 12345) >>> 0;
        this.m.writeRam((this.seed % this.hotPages) * 4096, [this.seed & 0xff, 1, 2, 3]);
      }
      this.t = setImmediate(tick);
    };
    if (!this.t) this.t = setImmediate(tick);
  }
  pause(): void {
    if (this.t) clearImmediate(this.t);
    this.t = undefined;
  }
}

/** The same guest, letting migration slow it down (auto-converge). */
class ThrottledWriter extends Writer {
  throttle(fraction: number): void {
    this.slow = fraction;
  }
}

async function liveRun(src: Machine, dst: Machine, sock: string, writer?: Writer): Promise<MigrationStatus> {
  const inc = incoming(dst, `unix:${sock}`);
  writer?.resume();
  const out = await migrate(src, await inc.listening, { control: writer }).done;
  const got = await inc.done;
  if (out.status !== 'completed' || got.status !== 'completed') throw new Error(`migration failed: ${out.errorDesc ?? got.errorDesc}`);
  return { ...out, setupTimeMs: got.downtimeMs }; // setupTimeMs reused: the destination's validate + commit
}

const ms = (v: number | undefined): string => `${(v ?? 0).toFixed(1)} ms`;
const mib = (b: number): string => `${(b / 1048576).toFixed(0)} MiB`;

export default async function bench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'pseries-bench-'));
  try {
    const src = machine();
    // Every page non-zero: the worst case for the transfer (no zero-page compaction).
    for (let p = 0; p < RAM / 4096; p++) src.writeRam(p * 4096 + (p % 512) * 8, [p & 0xff, 0x5a]);
    const rows: [string, MigrationStatus][] = [];
    rows.push(['idle', await liveRun(src, machine(), join(dir, 'a.sock'))]);
    rows.push(['guest writing, 16 MiB hot', await liveRun(src, machine(), join(dir, 'b.sock'), new Writer(src, 64, 4096))]);
    rows.push(['guest writing, all RAM', await liveRun(src, machine(), join(dir, 'c.sock'), new Writer(src, 64, RAM / 4096))]);
    rows.push(['  same, auto-converge', await liveRun(src, machine(), join(dir, 'd.sock'), new ThrottledWriter(src, 64, RAM / 4096))]);
    console.log('live migration, 512 MiB guest RAM (all pages non-zero), unix socket, one process');
    console.log(`destination validate+commit: ${rows.map(([n, s]) => n + ' ' + ms(s.setupTimeMs)).join(', ')}`);
    console.log('case                          total      downtime   sent      MiB/s   dirty passes  dirty pages/s  throttle');
    for (const [name, s] of rows) {
      const rate = (s.transferredBytes / 1048576) / (s.totalTimeMs / 1000);
      console.log(`${name.padEnd(30)}${ms(s.totalTimeMs).padEnd(11)}${ms(s.downtimeMs).padEnd(11)}${mib(s.transferredBytes).padEnd(10)}`
        + `${rate.toFixed(0).padEnd(8)}${String(s.ram.dirtySyncCount).padEnd(14)}${String(s.ram.dirtyPagesRate).padEnd(15)}${s.cpuThrottlePercentage ?? 0}%`);
    }
    let t = performance.now();
    const snap = saveMachine(src);
    const tSave = performance.now() - t;
    const dst = machine();
    t = performance.now();
    loadMachine(dst, snap);
    const tLoad = performance.now() - t;
    console.log(`snapshot save ${ms(tSave)}, load (validate + commit) ${ms(tLoad)}, ${mib(snap.length)}; `
      + `save / live-idle total ratio ${(tSave / rows[0][1].totalTimeMs).toFixed(2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
