// The npm start demo at a reduced size: its structured result (host-ts/demo/). Time is guest
// virtual time (1 ns per instruction, idle warped), so a run is deterministic: exact counts.
import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { runDemo } from '../../host-ts/demo/demo.js';
import { conclusion, formatReport, type DemoResult } from '../../host-ts/demo/report.js';
import type { ModeResult, PhaseResult } from '../../host-ts/demo/run-mode.js';
import { pingFragments, streamFrame as demoStreamFrame } from '../../host-ts/demo/frames.js';
import { streamFrame } from '../tools/frame-sender.js';

const phase = (r: ModeResult, name: string): PhaseResult => r.phases.find((p) => p.name === name)!;
const hits = (p: PhaseResult, size: number): number => p.hits.find((h) => h.size === size)?.hits ?? 0;

describe('demo frames', () => {
  it('stream frames are the veth test stream (same bytes as test/tools/frame-sender)', () => {
    for (const [size, seq] of [[46, 0], [64, 7], [1514, 123456], [65000, 0xffffffff]]) {
      expect(Buffer.from(demoStreamFrame(size, seq)).equals(streamFrame(size, seq))).toBe(true);
    }
  });

  it('ping -s 65507 at MTU 1500: 45 fragments, 44 x 1514 B + 429 B, offsets and MF set', () => {
    const f = pingFragments(65507, 1500, 9);
    expect(f.length).toBe(45);
    expect(f.slice(0, 44).every((x) => x.length === 1514)).toBe(true);
    expect(f[44].length).toBe(429);
    f.forEach((x, i) => {
      const dv = new DataView(x.buffer);
      expect(dv.getUint16(18)).toBe(9); // IPv4 id
      expect(dv.getUint16(20)).toBe((i < 44 ? 0x2000 : 0) | ((i * 1480) / 8));
      expect(x[23]).toBe(1); // ICMP
    });
    expect(f.reduce((s, x) => s + x.length - 34, 0)).toBe(65507 + 8);
  });
});

describe('npm start demo, reduced (1500 frames per phase, queue 200)', () => {
  let d: DemoResult;
  beforeAll(() => {
    d = runDemo({ frames: 1500, queue: 200, linkBps: 10e9, smallBurst: 1500, nofitTimeoutUs: 10_000, multiAdd: false });
  }, 120_000);

  it('legacy accepts 509 buffers of the ibmveth mix and none of the 512-byte pool; pools accepts all 1024', () => {
    expect(d.legacy.acceptedTotal).toBe(509);
    expect(d.legacy.accepted).toEqual([
      { size: 512, count: 256, accepted: 0 }, { size: 2048, count: 512, accepted: 253 }, { size: 65536, count: 256, accepted: 256 },
    ]);
    expect(d.pools.acceptedTotal).toBe(1024);
    expect(d.pools.accepted.map((a) => a.accepted)).toEqual([256, 512, 256]);
  });

  it('every offered frame is accounted for: received, lost (queue full, no fit, other) or still waiting', () => {
    for (const r of [d.legacy, d.pools]) {
      expect(r.phases.map((p) => p.name)).toEqual(['ping', 'bulk', 'small', 'jumbo']);
      for (const p of r.phases) {
        expect(p.received + p.lostQueueFull + p.lostNoFit + p.lostOther + p.stuck).toBe(p.offered);
        expect(p.hits.reduce((s, h) => s + h.hits, 0)).toBe(p.received);
      }
      // The guest's own count agrees with the device: every frame written to it was seen.
      const received = r.phases.reduce((s, p) => s + p.received, 0);
      expect(r.guest.rx).toBe(received + (r.guest.end as number));
      expect(r.guest.frag).toBe(phase(r, 'ping').received);
      expect(r.guest.invalid).toBe(0);
    }
  });

  it('ping fragments and bulk: nothing lost in either mode; pools puts each frame in the smallest fitting buffer', () => {
    for (const r of [d.legacy, d.pools]) {
      expect(phase(r, 'ping')).toMatchObject({ offered: 1530, received: 1530, stalled: false });
      expect(phase(r, 'bulk')).toMatchObject({ offered: 1500, received: 1500, stalled: false });
    }
    // 34 pings: their last fragment (429 B) fits the 512-byte pool, the rest the 2 KiB pool.
    expect(hits(phase(d.pools, 'ping'), 512)).toBe(34);
    expect(hits(phase(d.pools, 'ping'), 2048)).toBe(1496);
    expect(hits(phase(d.pools, 'bulk'), 2048)).toBe(1500);
    // Legacy: first fit in ring order; 1514-byte frames land in 64 KiB buffers too.
    expect(hits(phase(d.legacy, 'ping'), 512)).toBe(0);
    expect(hits(phase(d.legacy, 'bulk'), 65536)).toBeGreaterThan(0);
  });

  it('small-frame burst: pools loses nothing, legacy (509 buffers) overflows the backend queue', () => {
    expect(phase(d.pools, 'small')).toMatchObject({ offered: 1500, received: 1500, lostQueueFull: 0, lostNoFit: 0, stalled: false });
    // Deterministic regression values of this configuration.
    expect(phase(d.legacy, 'small')).toMatchObject({ offered: 1500, received: 1450, lostQueueFull: 50, lostNoFit: 0 });
    expect(d.legacy.guest.gaps).toBe(50);
    expect(d.pools.guest.gaps).toBe(0);
  });

  it('jumbo frames: pools receives all in 64 KiB buffers; legacy has no 64 KiB buffer left in the ring and stalls', () => {
    const p = phase(d.pools, 'jumbo');
    expect(p).toMatchObject({ offered: 1500, received: 1500, lostNoFit: 0, stalled: false });
    expect(hits(p, 65536)).toBe(1500);
    const l = phase(d.legacy, 'jumbo');
    expect(l).toMatchObject({ offered: 1500, received: 0, stalled: true, lostNoFit: 9, lostQueueFull: 1295, stuck: 196 });
    expect(l.droppedCounter).toBeGreaterThan(0);
    // Why: the shared 509-slot list is full of smaller buffers, none of 64 KiB (read from the list page).
    expect(l.held).toEqual([{ size: 512, count: 256 }, { size: 2048, count: 253 }]);
    expect(l.held.reduce((s, h) => s + h.count, 0)).toBe(509);
    expect(p.held.find((h) => h.size === 65536)!.count).toBeGreaterThan(0);
  });

  it('the same options give the same numbers (wall clock aside)', () => {
    const again = runDemo({ frames: 300, queue: 200, linkBps: 10e9, smallBurst: 300, nofitTimeoutUs: 10_000, multiAdd: false });
    const once = runDemo({ frames: 300, queue: 200, linkBps: 10e9, smallBurst: 300, nofitTimeoutUs: 10_000, multiAdd: false });
    const strip = (r: ModeResult) => ({ ...r, wallMs: 0, phases: r.phases.map((p) => ({ ...p, wallMs: 0 })) });
    expect(strip(again.legacy)).toEqual(strip(once.legacy));
    expect(strip(again.pools)).toEqual(strip(once.pools));
  }, 60_000);

  it('the report shows both modes and a conclusion computed from the numbers', () => {
    const text = formatReport(d);
    expect(text).toContain('STALLED');
    const c = conclusion(d);
    expect(c.length).toBeGreaterThanOrEqual(2);
    expect(c.length).toBeLessThanOrEqual(3);
    expect(c[0]).toContain('the device took 509 and none of the 512 B ones');
    expect(c[0]).toContain('it took 1,024');
    expect(c[c.length - 1]).toContain('lost 1,550 of 6,030 frames without pools (25.7%) and 0 with pools');
    expect(c[c.length - 1]).toContain('receive stalled after 0 of 1,500 frames, because smaller buffers had taken the shared list\'s slots (256 x 512 B + 253 x 2 KiB)');
  });
});

describe('npm start command line', () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'host-ts/main.ts', ...args], { encoding: 'utf8' });

  it('--help, a bad option, and a small run without a TTY (no progress escapes)', () => {
    const h = run('--help');
    expect(h.status).toBe(0);
    expect(h.stdout).toContain('--frames N');
    const bad = run('--frames', 'x');
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain("--frames: expected a number >= 1, got 'x'");
    const unknown = run('--nope');
    expect(unknown.status).toBe(1);
    const ok = run('--frames', '100');
    expect(ok.status).toBe(0);
    expect(ok.stdout).not.toContain('\x1b');
    expect(ok.stdout).toContain('Buffers the device accepted');
    expect(ok.stdout).toMatch(/total\s+509\s+1,024/);
    const js = run('--frames', '100', '--json', '--queue', '50');
    expect(js.status).toBe(0);
    const r = JSON.parse(js.stdout);
    expect(r.settings).toMatchObject({ frames: 100, queue: 50 });
    expect([r.legacy.acceptedTotal, r.pools.acceptedTotal]).toEqual([509, 1024]);
    expect(r.pools.phases.map((p: PhaseResult) => p.offered)).toEqual([135, 100, 100, 100]);
  }, 60_000);
});
