// Interrupts and privileged/system instructions (Power ISA 3.0 Book III 7): vectors, SRR0/SRR1,
// the new MSR, DAR/DSISR, rfid, decrementer and external interrupts, sc / sc 1, 32-bit mode.
import { describe, expect, test } from 'vitest';
import { machineWithCode, step, core, CODE_BASE, writeWords } from './harness.js';
import * as E from './encode.js';
import { HCALL, HRC, EXIT } from '../../host-ts/layout/papr.js';
import { CpuRunner } from '../../host-ts/cpu/cpu-runner.js';
import { unimplementedReport } from '../../host-ts/cpu/unimplemented-report.js';

const MSR_SF = 1n << 63n, MSR_EE = 1n << 15n, MSR_PR = 1n << 14n, MSR_FP = 1n << 13n, MSR_ME = 1n << 12n;
const MSR_IR = 1n << 5n, MSR_DR = 1n << 4n, MSR_LE = 1n, MSR_RI = 2n;
const LPCR_ILE = 1n << 25n;
const big = (m: ReturnType<typeof machineWithCode>, f: string): bigint => m.cpu.getBig(f);

for (const le of [false, true]) {
  describe(`interrupts (${le ? 'LE' : 'BE'})`, () => {
    test('illegal instruction: program interrupt 0x700, SRR1 0x80000, recorded as unimplemented', () => {
      const m = machineWithCode([E.NOP, 0x00000000], le);
      step(m, 2);
      expect(big(m, 'nip')).toBe(0x700n);
      expect(big(m, 'srr0')).toBe(BigInt(CODE_BASE + 4));
      expect(big(m, 'srr1')).toBe(MSR_SF | MSR_ME | (le ? MSR_LE : 0n) | 0x80000n);
      expect(big(m, 'msr')).toBe(MSR_SF | MSR_ME); // LPCR[ILE] = 0: interrupts run big-endian
      expect(m.cpu.getNum('unimplTotal')).toBe(1);
      const r = new CpuRunner(m);
      expect(r.unimplemented()).toEqual([{ mnemonic: 'attn', key: 0, count: 1, lastInsn: 0, lastNip: BigInt(CODE_BASE + 4) }]);
    });

    test.each([['mtmsrd', E.mtmsrd(3)], ['mtmsr', E.mtmsr(3)], ['mfmsr', E.mfmsr(3)], ['rfid', E.RFID],
      ['mtspr SRR0', E.mtspr(E.SPR.SRR0, 3)], ['mfspr SPRG0', E.mfspr(3, E.SPR.SPRG0)]])('privileged: %s in problem state -> 0x700 with SRR1 0x40000', (_name, insn) => {
      const m = machineWithCode([insn], le);
      m.cpu.set('msr', big(m, 'msr') | MSR_PR | MSR_EE);
      step(m, 1);
      expect(big(m, 'nip')).toBe(0x700n);
      expect(big(m, 'srr0')).toBe(BigInt(CODE_BASE));
      expect(big(m, 'srr1') & 0x783f0000n).toBe(0x40000n);
      expect(big(m, 'srr1') & MSR_PR).toBe(MSR_PR);
      expect(big(m, 'msr') & (MSR_PR | MSR_EE)).toBe(0n);
    });

    test('trap: tw 31 -> 0x700 with SRR1 0x20000, SRR0 = the trap', () => {
      const m = machineWithCode([E.NOP, E.tw(31, 0, 0)], le);
      step(m, 2);
      expect(big(m, 'nip')).toBe(0x700n);
      expect(big(m, 'srr0')).toBe(BigInt(CODE_BASE + 4));
      expect(big(m, 'srr1') & 0x783f0000n).toBe(0x20000n);
    });

    test('sc: system call 0xC00, SRR0 = next instruction; LPCR[ILE] makes the handler LE', () => {
      const m = machineWithCode([E.SC], le);
      m.cpu.set('lpcr', LPCR_ILE);
      m.cpu.set('msr', big(m, 'msr') | MSR_EE | MSR_RI);
      step(m, 1);
      expect(big(m, 'nip')).toBe(0xc00n);
      expect(big(m, 'srr0')).toBe(BigInt(CODE_BASE + 4));
      expect(big(m, 'srr1')).toBe(MSR_SF | MSR_ME | MSR_EE | MSR_RI | (le ? MSR_LE : 0n));
      expect(big(m, 'msr')).toBe(MSR_SF | MSR_ME | MSR_LE);
    });

    test('scv: facility unavailable (0xf60, FSCR[IC] = 12) while FSCR[SCV] = 0', () => {
      const m = machineWithCode([E.scv(0)], le);
      step(m, 1);
      expect(big(m, 'nip')).toBe(0xf60n);
      expect(big(m, 'srr0')).toBe(BigInt(CODE_BASE));
      expect(big(m, 'fscr') >> 56n).toBe(12n);
    });

    test('scv 1: LR = next, CTR = MSR, EE/RI kept, SRR0/1 untouched, vector 0x17020; rfscv returns', () => {
      const m = machineWithCode([E.scv(1), E.addi(3, 3, 1)], le);
      writeWords(m, 0x17020, [E.RFSCV], false);
      m.cpu.set('fscr', 1n << 12n);
      m.cpu.set('msr', big(m, 'msr') | MSR_EE | MSR_RI);
      const before = big(m, 'msr');
      step(m, 1);
      expect(big(m, 'nip')).toBe(0x17020n);
      expect(big(m, 'lr')).toBe(BigInt(CODE_BASE + 4));
      expect(big(m, 'ctr')).toBe(before);
      expect(big(m, 'msr')).toBe(MSR_SF | MSR_ME | MSR_EE | MSR_RI); // handler big-endian (ILE = 0)
      expect(big(m, 'srr0')).toBe(0n);
      step(m, 2); // rfscv, addi
      expect(big(m, 'msr')).toBe(before);
      expect(m.gpr(3)).toBe(1n);
    });

    test('LPCR[AIL] = 3 with IR = DR = 1: sc vectors to 0xc000000000004c00 with IR, DR on', () => {
      const m = machineWithCode([E.SC], le);
      writeWords(m, 0x4c00, [E.addi(5, 0, 9)], false);
      m.cpu.set('lpcr', 3n << 23n);
      m.cpu.set('msr', big(m, 'msr') | MSR_IR | MSR_DR);
      step(m, 1);
      expect(big(m, 'nip')).toBe(0xc000000000004c00n);
      expect(big(m, 'msr')).toBe(MSR_SF | MSR_ME | MSR_IR | MSR_DR);
      step(m, 1); // no MMU yet: fetched through the real-mode mapping of the top bits
      expect(m.gpr(5)).toBe(9n);
      // From real mode (IR = DR = 0) AIL does not apply.
      const r = machineWithCode([E.SC], le);
      r.cpu.set('lpcr', 3n << 23n);
      step(r, 1);
      expect(big(r, 'nip')).toBe(0xc00n);
    });

    test('rfid returns to SRR0 with MSR = SRR1 (and can switch byte order)', () => {
      // rfid at CODE_BASE jumps to 0x3000 in the other byte order, where addi r3,r3,1 runs.
      const m = machineWithCode([E.RFID], le);
      writeWords(m, 0x3000, [E.addi(3, 3, 1)], !le);
      m.cpu.set('srr0', 0x3000n);
      m.cpu.set('srr1', MSR_SF | MSR_ME | MSR_EE | (le ? 0n : MSR_LE));
      m.setGpr(3, 41);
      step(m, 2);
      expect(m.gpr(3)).toBe(42n);
      expect(big(m, 'msr')).toBe(MSR_SF | MSR_ME | MSR_EE | (le ? 0n : MSR_LE));
      expect(big(m, 'cfar')).toBe(BigInt(CODE_BASE));
    });

    test('rfid to problem state forces EE, IR, DR on', () => {
      const m = machineWithCode([E.RFID], le);
      m.cpu.set('srr0', 0x3000n);
      m.cpu.set('srr1', MSR_SF | MSR_PR);
      step(m, 1);
      expect(big(m, 'msr')).toBe(MSR_SF | MSR_ME | MSR_PR | MSR_EE | MSR_IR | MSR_DR);
      expect(big(m, 'nip')).toBe(0x3000n);
    });

    test('hrfid and hypervisor SPRs from a guest (MSR[HV] = 0): privileged program interrupt', () => {
      for (const insn of [E.HRFID, E.mtspr(E.SPR.LPCR, 3), E.mfspr(3, E.SPR.HSRR0)]) {
        const m = machineWithCode([insn], le);
        step(m, 1);
        expect(big(m, 'nip')).toBe(0x700n);
        expect(big(m, 'srr1') & 0x783f0000n).toBe(0x40000n);
      }
    });

    test('mfmsr / mtmsrd L=1 (EE, RI only) / mtmsrd L=0 keeps LE, ME, HV', () => {
      const m = machineWithCode([E.mtmsrd(4, 1), E.mfmsr(3), E.mtmsrd(5, 0), E.mfmsr(6)], le);
      const base = big(m, 'msr');
      m.setGpr(4, MSR_EE | MSR_RI | MSR_FP);                     // only EE and RI taken
      m.setGpr(5, MSR_SF | MSR_FP | (le ? 0n : MSR_LE));         // LE and ME not changeable by mtmsrd
      step(m, 4);
      expect(m.gpr(3)).toBe(base | MSR_EE | MSR_RI);
      expect(m.gpr(6)).toBe(MSR_SF | MSR_FP | MSR_ME | (le ? MSR_LE : 0n));
    });

    test('mtmsr (32-bit form) changes only the low word', () => {
      const m = machineWithCode([E.mtmsr(4), E.mfmsr(3)], le);
      m.setGpr(4, MSR_EE | MSR_FP); // SF (high word) stays set
      step(m, 2);
      expect(m.gpr(3)).toBe(MSR_SF | MSR_ME | MSR_EE | MSR_FP | (le ? MSR_LE : 0n));
    });

    test('DSI on a load outside RAM: 0x300, DAR = ea, DSISR no-translation; store sets the store bit', () => {
      const m = machineWithCode([E.lwz(3, 4, 8), E.stw(3, 4, 0)], le);
      m.setGpr(3, 0x1234);
      m.setGpr(4, 0xfffff0n); // RAM is 1 MiB: 0x100000 + 0xfffff0... outside
      step(m, 1);
      expect(big(m, 'nip')).toBe(0x300n);
      expect(big(m, 'srr0')).toBe(BigInt(CODE_BASE));
      expect(big(m, 'dar')).toBe(0xfffff8n);
      expect(m.cpu.getNum('dsisr')).toBe(0x40000000);
      expect(m.gpr(3)).toBe(0x1234n); // not written
      m.cpu.set('msr', MSR_SF | MSR_ME | (le ? MSR_LE : 0n));
      m.cpu.set('nip', BigInt(CODE_BASE + 4));
      step(m, 1);
      expect(big(m, 'nip')).toBe(0x300n);
      expect(m.cpu.getNum('dsisr')).toBe(0x42000000);
      expect(big(m, 'dar')).toBe(0xfffff0n);
    });

    test('a load straddling the end of RAM faults; real mode ignores EA bits 0:3', () => {
      const m = machineWithCode([E.lwz(3, 4, 0), E.lwz(5, 6, 0)], le);
      m.setGpr(4, 0xc000000000000000n | 0x800n); // kernel-style ea: ra 0x800
      writeWords(m, 0x800, [0xcafef00d], le);
      m.setGpr(6, (1n << 20n) - 2n);
      step(m, 2);
      expect(m.gpr(3)).toBe(0xcafef00dn);
      expect(big(m, 'nip')).toBe(0x300n);
      expect(big(m, 'dar')).toBe((1n << 20n) - 2n);
    });

    test('ISI when fetching outside RAM: 0x400, SRR0 = the address, SRR1 bit 33', () => {
      const m = machineWithCode([E.NOP], le);
      m.cpu.set('nip', 1n << 20n);
      step(m, 1);
      expect(big(m, 'nip')).toBe(0x400n);
      expect(big(m, 'srr0')).toBe(1n << 20n);
      expect(big(m, 'srr1') & 0x40000000n).toBe(0x40000000n);
    });

    test('FP instruction: FP unavailable (0x800) when MSR[FP] = 0, else reported unimplemented', () => {
      const m = machineWithCode([E.lfd(1, 4, 0)], le);
      step(m, 1);
      expect(big(m, 'nip')).toBe(0x800n);
      expect(big(m, 'srr0')).toBe(BigInt(CODE_BASE));
      expect(m.cpu.getNum('unimplTotal')).toBe(0);
      m.cpu.set('msr', MSR_SF | MSR_FP | (le ? MSR_LE : 0n));
      m.cpu.set('nip', BigInt(CODE_BASE));
      step(m, 1);
      expect(big(m, 'nip')).toBe(0x700n);
      expect(big(m, 'srr1') & 0x783f0000n).toBe(0x80000n);
      expect(new CpuRunner(m).unimplemented().map((e) => e.mnemonic)).toEqual(['lfd']);
      expect(unimplementedReport(m)).toBe(`lfd: 1x (last 0xc8240000 at 0x${CODE_BASE.toString(16)})`);
    });

    test('alignment: misaligned lwarx -> 0x600 with DAR; lmw in LE mode -> 0x600', () => {
      const m = machineWithCode([E.lwarx(3, 0, 4)], le);
      m.setGpr(4, 0x2002);
      step(m, 1);
      expect(big(m, 'nip')).toBe(0x600n);
      expect(big(m, 'dar')).toBe(0x2002n);
      const m2 = machineWithCode([E.lmw(30, 4, 0)], le);
      m2.setGpr(4, 0x2000);
      step(m2, 1);
      expect(big(m2, 'nip')).toBe(le ? 0x600n : BigInt(CODE_BASE + 4));
    });

    test('stwcx. without a reservation fails (CR0 EQ = 0) and stores nothing', () => {
      const m = machineWithCode([E.stwcx(5, 0, 4)], le);
      m.setGpr(4, 0x2000);
      m.setGpr(5, 0x11223344);
      step(m, 1);
      expect(m.cpu.getNum('cr') >>> 28).toBe(0);
      expect([...m.readRam(0x2000, 4)]).toEqual([0, 0, 0, 0]);
    });

    test('32-bit mode: CR0 and CA from the low word, effective addresses wrap to 32 bits', () => {
      const m = machineWithCode([E.add(3, 4, 5, 1), E.addc(6, 7, 8), E.lwz(9, 10, 0)], le);
      m.cpu.set('msr', MSR_ME | (le ? MSR_LE : 0n)); // SF = 0
      m.setGpr(4, 0x100000000n); m.setGpr(5, 0);
      m.setGpr(7, 0xffffffffn); m.setGpr(8, 1);
      m.setGpr(10, 0xffffffff00000800n);
      writeWords(m, 0x800, [0x5a5a5a5a], le);
      step(m, 3);
      expect(m.cpu.getNum('cr') >>> 28).toBe(2);           // EQ: low word is 0
      expect(m.gpr(6)).toBe(0x100000000n);                 // full 64-bit sum in the register
      expect(big(m, 'xer') & (1n << 29n)).toBe(1n << 29n); // CA out of bit 32
      expect(m.gpr(9)).toBe(0x5a5a5a5an);
    });

    test('32-bit mode: the instruction address wraps at 4 GiB', () => {
      const m = machineWithCode([], le);
      writeWords(m, 0, [E.addi(3, 3, 7)], le);
      writeWords(m, 0xfffffffc & 0xffffc, [], le);
      m.cpu.set('msr', MSR_ME | (le ? MSR_LE : 0n));
      m.cpu.set('nip', 0n);
      step(m, 1);
      expect(m.gpr(3)).toBe(7n);
      expect(big(m, 'nip')).toBe(4n);
    });

    test('unknown SPR: no-op in supervisor state, counted; PVR reads POWER9', () => {
      const m = machineWithCode([E.mfspr(3, 1006), E.mfspr(4, E.SPR.PVR)], le);
      m.setGpr(3, 77);
      step(m, 2);
      expect(m.gpr(3)).toBe(77n);
      expect(m.gpr(4)).toBe(0x004e1200n);
      expect(m.cpu.getNum('unknownSprCount')).toBe(1);
      expect(m.cpu.getNum('unknownSprLast')).toBe(1006);
      expect(unimplementedReport(m)).toBe('unmodelled SPR accesses: 1 (last 1006, mfspr)');
    });
  });
}

describe('timebase and decrementer', () => {
  test('TB runs at 512 MHz of virtual time (1 ns per instruction)', () => {
    const m = machineWithCode([E.NOP, E.NOP, E.mftb(3)], false);
    m.state.set('vclockNs', 1_000_000_000n);
    step(m, 3);
    expect(m.gpr(3)).toBe(((1_000_000_000n + 2n) * 512n) / 1000n);
    expect(m.state.getBig('vclockNs')).toBe(1_000_000_003n);
  });

  test('DEC counts down; going negative with EE = 1 raises 0x900 (SRR0 = the interrupted loop)', () => {
    // mtdec r4 (DEC = 100 ticks = 195.3 ns); mtmsrd r5,1 (EE); b . (spin)
    const m = machineWithCode([E.mtspr(E.SPR.DEC, 4), E.mtmsrd(5, 1), E.b(0)], false);
    writeWords(m, 0x900, [E.b(0)], false);
    m.setGpr(4, 100);
    m.setGpr(5, MSR_EE);
    expect(step(m, 10_000)).toBe(EXIT.EXIT_SLICE_DONE);
    expect(big(m, 'nip')).toBe(0x900n);
    expect(m.cpu.getNum('decInterrupts')).toBe(1); // level-triggered, but EE is now 0
    expect(big(m, 'srr0')).toBe(BigInt(CODE_BASE + 8));
    expect(big(m, 'srr1') & MSR_EE).toBe(MSR_EE);
    expect(m.cpu.getBig('insnCount')).toBe(10_000n);
  });

  test('the decrementer interrupt is taken exactly when DEC turns negative', () => {
    const m = machineWithCode([E.mtspr(E.SPR.DEC, 4), E.mtmsrd(5, 1), E.b(0)], false);
    m.setGpr(4, 100); m.setGpr(5, MSR_EE);
    writeWords(m, 0x900, [E.mfspr(6, E.SPR.DEC), E.b(0)], false);
    // DEC written at vclock 0 (tick 0). Tick 101 (DEC = -1) starts at ceil(101 * 125 / 64) = 198 ns.
    step(m, 197);
    expect(m.cpu.getNum('decInterrupts')).toBe(0);
    step(m, 2); // boundary at 198 delivers, then mfspr DEC runs
    expect(m.cpu.getNum('decInterrupts')).toBe(1);
    expect(m.gpr(6)).toBe(0xffffffffn); // 32-bit DEC, zero-extended: -1
  });

  test('LPCR[LD]: 56-bit decrementer, mfspr DEC sign-extended; without LD a 32-bit DEC', () => {
    const m = machineWithCode([E.mtspr(E.SPR.DEC, 4), E.mfspr(5, E.SPR.DEC), E.mtspr(E.SPR.DEC, 6), E.mfspr(7, E.SPR.DEC)], false);
    m.cpu.set('lpcr', 1n << 17n);
    m.setGpr(4, 0x10_0000_0000n);            // 2^36 ticks: too large for 32 bits
    m.setGpr(6, 0xff80_0000_0000_0010n);     // bit 55 set: negative in 56 bits
    step(m, 4);
    expect(m.gpr(5)).toBe(0x10_0000_0000n);  // written at tick 0, read at tick 0 (1 ns = 0.512 ticks)
    expect(m.gpr(7)).toBe(0xff80_0000_0000_0010n); // written at 2 ns, read at 3 ns: both tick 1; sign-extended from bit 55
    const m32 = machineWithCode([E.mtspr(E.SPR.DEC, 4), E.mfspr(5, E.SPR.DEC)], false);
    m32.setGpr(4, 0x1_2345_6789n);
    step(m32, 2);
    expect(m32.gpr(5)).toBe(0x2345_6789n);
  });

  test('no decrementer interrupt while MSR[EE] = 0; mfspr DEC reads the count', () => {
    const m = machineWithCode([E.mtspr(E.SPR.DEC, 4), E.b(0)], false);
    m.setGpr(4, 10);
    step(m, 1000);
    expect(m.cpu.getNum('decInterrupts')).toBe(0);
    expect(core(m).cpuInterruptDeliverable()).toBe(0);
    expect(big(m, 'nip')).toBe(BigInt(CODE_BASE + 4));
  });

  test('external interrupt input: 0x500 when EE = 1, SRR0 = next instruction', () => {
    const m = machineWithCode([E.NOP, E.NOP], false);
    writeWords(m, 0x500, [E.NOP], false);
    m.cpu.set('msr', MSR_SF | MSR_ME | MSR_EE);
    step(m, 1);
    m.cpu.set('externalPending', 1);
    step(m, 1);
    expect(big(m, 'nip')).toBe(0x504n); // delivered at slice start, then the 0x500 instruction ran
    expect(big(m, 'srr0')).toBe(BigInt(CODE_BASE + 4));
    expect(m.cpu.getNum('extInterrupts')).toBe(1);
  });
});

describe('hypercalls from the CPU (sc 1)', () => {
  test('sc 1 completes the hypercall and continues after it (unknown opcode -> H_FUNCTION)', () => {
    const m = machineWithCode([E.SC1, E.addi(4, 4, 1)], false);
    m.setGpr(3, 0x11d); m.setGpr(4, 7);
    step(m, 2);
    expect(BigInt.asIntN(64, m.gpr(3))).toBe(BigInt(HRC.H_FUNCTION));
    expect(m.gpr(4)).toBe(8n);
    expect(m.state.getNum('hcallExits')).toBe(1);
  });

  test('a host hypercall handler sees nip and time; EXIT_HALT from it ends the slice', () => {
    const m = machineWithCode([E.NOP, E.SC1, E.NOP], false);
    let seen: bigint[] = [];
    m.registerHcall(0xf000, (mm) => {
      seen = [mm.cpu.getBig('nip'), mm.state.getBig('vclockNs')];
      mm.state.set('exitReason', EXIT.EXIT_HALT);
      return 0;
    });
    m.setGpr(3, 0xf000);
    expect(step(m, 100)).toBe(EXIT.EXIT_HALT);
    expect(seen).toEqual([BigInt(CODE_BASE + 8), 1n]);
    expect(big(m, 'nip')).toBe(BigInt(CODE_BASE + 8));
  });

  test('H_CEDE idles until the decrementer fires (runner warps virtual time)', () => {
    // DEC = 1000 ticks; r3 = H_CEDE; sc 1; then the DEC interrupt arrives at 0x900.
    const m = machineWithCode([E.mtspr(E.SPR.DEC, 4), E.addi(3, 0, HCALL.H_CEDE), E.SC1, E.b(0)], false);
    writeWords(m, 0x900, [E.addi(7, 7, 1), E.b(0)], false);
    m.setGpr(4, 1000);
    const runner = new CpuRunner(m, { idle: 'warp' });
    const r = runner.runSync(100);
    expect(r.reason).toBe('limit');
    expect(m.gpr(3)).toBe(0n); // H_SUCCESS
    expect(m.gpr(7)).toBe(1n);
    expect(big(m, 'srr0')).toBe(BigInt(CODE_BASE + 12)); // after the sc
    // Woken at the deadline: tick 1001 = 1955.08 ns -> 1956 ns.
    expect(m.state.getBig('vclockNs')).toBeGreaterThanOrEqual(1956n);
    expect(m.state.getBig('vclockNs')).toBeLessThan(1956n + 100n);
  });

  test('H_CEDE with DEC at its largest value: warps to the 32-bit DEC turning negative', () => {
    const m = machineWithCode([E.addi(3, 0, HCALL.H_CEDE), E.SC1], false);
    m.cpu.set('decValue', 0x7fffffffn);
    writeWords(m, 0x900, [E.b(0)], false);
    const runner = new CpuRunner(m, { idle: 'warp' });
    const r = runner.runSync(1000);
    // 2^31 ticks = 4.194 s of virtual time: warp goes there and delivers 0x900.
    expect(r.reason).toBe('limit');
    expect(m.cpu.getNum('decInterrupts')).toBe(1);
    expect(m.state.getBig('vclockNs')).toBeGreaterThan(4_194_304_000n);
  });

  test('H_CEDE with the decrementer already pending does not idle: the interrupt follows the sc', () => {
    const m = machineWithCode([E.mtspr(E.SPR.DEC, 4), E.addi(3, 0, HCALL.H_CEDE), E.SC1, E.b(0)], false);
    writeWords(m, 0x900, [E.b(0)], false);
    m.setGpr(4, -1); // DEC negative at once; EE still 0 until H_CEDE
    expect(step(m, 4)).toBe(EXIT.EXIT_SLICE_DONE);
    expect(m.cpu.getNum('idle')).toBe(0);
    expect(big(m, 'nip')).toBe(0x900n);
    expect(big(m, 'srr0')).toBe(BigInt(CODE_BASE + 12));
    expect(m.state.getNum('hcallFast')).toBe(1);
  });

  test('realtime idle: raiseExternal() wakes an H_CEDE-idle vCPU into its 0x500 handler at once', async () => {
    // DEC at its maximum (4.2 s away); r3 = H_CEDE; sc 1; b . -- the 0x500 handler powers off.
    const m = machineWithCode([E.addi(3, 0, HCALL.H_CEDE), E.SC1, E.b(0)], false);
    writeWords(m, 0x500, [E.ori(3, 0, 0xf000), E.SC1], false);
    m.registerHcall(0xf000, (mm) => { mm.state.set('exitReason', EXIT.EXIT_HALT); return 0; });
    const runner = new CpuRunner(m, { idle: 'realtime' });
    const t0 = performance.now();
    setTimeout(() => runner.raiseExternal(), 20);
    const r = await runner.start();
    expect(r.reason).toBe('halt');
    expect(m.cpu.getNum('extInterrupts')).toBe(1);
    expect(big(m, 'srr0')).toBe(BigInt(CODE_BASE + 8));
    expect(performance.now() - t0).toBeLessThan(2000);
    // Virtual time advanced by about the real time waited (>= 20 ms), not to the DEC deadline.
    expect(m.state.getBig('vclockNs')).toBeGreaterThanOrEqual(15_000_000n);
    expect(m.state.getBig('vclockNs')).toBeLessThan(2_000_000_000n);
  });

  test('start() runs on the event loop and returns on halt', async () => {
    const m = machineWithCode([E.ori(3, 0, 0xf000), E.SC1, E.b(0)], false);
    m.registerHcall(0xf000, (mm) => { mm.state.set('exitReason', EXIT.EXIT_HALT); return 0; });
    const r = await new CpuRunner(m, { sliceInsns: 1 }).start();
    expect(r).toEqual({ reason: 'halt', insns: 2n });
  });
});
