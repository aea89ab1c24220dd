// Idle (H_CEDE) in PseriesMachine.run(): 'warp' jumps virtual time to the decrementer, 'realtime'
// lets real time pass. Guest: arm DEC for 2^24 ticks (32.8 ms at 512 MHz), H_CEDE; the DEC
// interrupt at 0x900 calls RTAS power-off.
import { describe, expect, test } from 'vitest';
import { createPseries, type PseriesBootOptions } from '../../host-ts/machine/pseries.js';

const words: [number, number[]][] = [
  [0x100, [0x3c600100, 0x7c7603a6, 0x386000e0, 0x44000022, 0x48000000]], // lis r3,0x100; mtdec r3; li r3,H_CEDE; sc 1; b .
  [0x900, [0x3c600000, 0x6063f000, 0x38803000, 0x44000022, 0x48000000]], // r3 = H_RTAS; r4 = 0x3000; sc 1; b .
  [0x3000, [0x2003, 2, 1, 0xffffffff, 0xffffffff, 0x5a5a5a5a]],            // power-off(-1, -1) -> status
];

function cedeGuest(opts: Partial<PseriesBootOptions> = {}) {
  const bios = new Uint8Array(0x4000);
  const dv = new DataView(bios.buffer);
  for (const [at, ws] of words) ws.forEach((w, i) => dv.setUint32(at + i * 4, w));
  return createPseries({ bios, ...opts });
}

const DEC_NS = 0x1000000n * 125n / 64n; // 2^24 ticks at 512 MHz

describe.skipIf(!cedeGuest().hasCpu)('idle', () => {
  test('warp (default): the decrementer fires at once in virtual time', () => {
    const p = cedeGuest();
    const r = p.run({ maxInsns: 1000 });
    expect(r.reason).toBe('power-off');
    expect(r.insns).toBeLessThan(20n);
    expect(p.machine.vclockNs).toBeGreaterThanOrEqual(DEC_NS);
    expect(p.machine.vclockNs).toBeLessThan(DEC_NS + 10_000n);
    expect([...p.machine.readRam(0x3014, 4)]).toEqual([0, 0, 0, 0]); // status written
  });

  test('realtime: run() returns idle until the real time has passed', async () => {
    const p = cedeGuest({ idle: 'realtime' });
    const t0 = performance.now();
    let idles = 0;
    for (;;) {
      const r = p.run({ maxInsns: 1000 });
      if (r.reason === 'power-off') break;
      expect(r.reason).toBe('idle');
      idles++;
      await new Promise((res) => setTimeout(res, 2));
    }
    expect(performance.now() - t0).toBeGreaterThanOrEqual(30);
    expect(idles).toBeGreaterThan(3);
    expect(p.machine.vclockNs).toBeGreaterThanOrEqual(DEC_NS);
  });
});
