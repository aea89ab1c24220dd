// Names of POWER instructions by opcode key (core-as/cpu/unimplemented.ts opcodeKey: primary << 16
// | extended opcode), for reports of unimplemented instructions, and the list of what the CPU
// implements (the coverage test checks each has differential vectors or a hand-written test).

export interface OpcodeName {
  name: string;
  op: number;
  /** Extended opcode as opcodeKey extracts it for this primary; undefined = none. */
  xo?: number;
}

const n = (name: string, op: number, xo?: number): OpcodeName => ({ name, op, xo });

/** XO-form (opcode 31): the mnemonic with OE = 0 and OE = 1 (xo | 512). */
const xoForm = (name: string, xo: number): OpcodeName[] => [n(name, 31, xo), n(name + 'o', 31, xo | 512)];

/** Instructions core-as/cpu implements (base spellings; Rc/OE variants are implied). */
export const IMPLEMENTED: OpcodeName[] = [
  n('tdi', 2), n('twi', 3), n('mulli', 7), n('subfic', 8), n('cmpli', 10), n('cmpi', 11), n('addic', 12),
  n('addic.', 13), n('addi', 14), n('addis', 15), n('bc', 16), n('sc', 17) /* and scv */, n('b', 18), n('rlwimi', 20),
  n('rlwinm', 21), n('rlwnm', 23), n('ori', 24), n('oris', 25), n('xori', 26), n('xoris', 27), n('andi.', 28),
  n('andis.', 29),
  n('rldicl', 30, 0), n('rldicl', 30, 1), n('rldicr', 30, 2), n('rldicr', 30, 3), n('rldic', 30, 4), n('rldic', 30, 5),
  n('rldimi', 30, 6), n('rldimi', 30, 7), n('rldcl', 30, 8), n('rldcr', 30, 9),
  n('lwz', 32), n('lwzu', 33), n('lbz', 34), n('lbzu', 35), n('stw', 36), n('stwu', 37), n('stb', 38), n('stbu', 39),
  n('lhz', 40), n('lhzu', 41), n('lha', 42), n('lhau', 43), n('sth', 44), n('sthu', 45), n('lmw', 46), n('stmw', 47),
  n('ld', 58, 0), n('ldu', 58, 1), n('lwa', 58, 2), n('std', 62, 0), n('stdu', 62, 1),
  n('maddhd', 4, 48), n('maddhdu', 4, 49), n('maddld', 4, 51),
  // opcode 19
  n('mcrf', 19, 0), n('bclr', 19, 16), n('rfid', 19, 18), n('rfscv', 19, 82), n('crnor', 19, 33), n('crandc', 19, 129), n('isync', 19, 150),
  n('crxor', 19, 193), n('crnand', 19, 225), n('crand', 19, 257), n('hrfid', 19, 274), n('creqv', 19, 289),
  n('crorc', 19, 417), n('cror', 19, 449), n('bcctr', 19, 528), n('bctar', 19, 560), n('addpcis', 19, 2),
  // opcode 31
  ...xoForm('add', 266), ...xoForm('addc', 10), ...xoForm('adde', 138), ...xoForm('addme', 234), ...xoForm('addze', 202),
  ...xoForm('subf', 40), ...xoForm('subfc', 8), ...xoForm('subfe', 136), ...xoForm('subfme', 232), ...xoForm('subfze', 200),
  ...xoForm('neg', 104), ...xoForm('mullw', 235), ...xoForm('mulld', 233), n('mulhw', 31, 75), n('mulhwu', 31, 11),
  n('mulhd', 31, 73), n('mulhdu', 31, 9), ...xoForm('divw', 491), ...xoForm('divwu', 459), ...xoForm('divd', 489),
  ...xoForm('divdu', 457), ...xoForm('divwe', 427), ...xoForm('divweu', 395), ...xoForm('divde', 425),
  ...xoForm('divdeu', 393), n('modsw', 31, 779), n('moduw', 31, 267), n('modsd', 31, 777), n('modud', 31, 265),
  n('addex', 31, 170),
  n('and', 31, 28), n('andc', 31, 60), n('nor', 31, 124), n('eqv', 31, 284), n('xor', 31, 316), n('orc', 31, 412),
  n('or', 31, 444), n('nand', 31, 476), n('extsb', 31, 954), n('extsh', 31, 922), n('extsw', 31, 986),
  n('cntlzw', 31, 26), n('cntlzd', 31, 58), n('cnttzw', 31, 538), n('cnttzd', 31, 570), n('popcntb', 31, 122),
  n('popcntw', 31, 378), n('popcntd', 31, 506), n('prtyw', 31, 154), n('prtyd', 31, 186), n('bpermd', 31, 252),
  n('cmpb', 31, 508), n('cmp', 31, 0), n('cmpl', 31, 32), n('cmprb', 31, 192), n('cmpeqb', 31, 224), n('setb', 31, 128),
  n('mcrxrx', 31, 576), n('isel', 31, 15),
  n('slw', 31, 24), n('srw', 31, 536), n('sld', 31, 27), n('srd', 31, 539), n('sraw', 31, 792), n('srawi', 31, 824),
  n('srad', 31, 794), n('sradi', 31, 826), n('sradi', 31, 827), n('extswsli', 31, 890), n('extswsli', 31, 891),
  n('tw', 31, 4), n('td', 31, 68),
  n('lbarx', 31, 52), n('lharx', 31, 116), n('lwarx', 31, 20), n('ldarx', 31, 84),
  n('stbcx.', 31, 694), n('sthcx.', 31, 726), n('stwcx.', 31, 150), n('stdcx.', 31, 214),
  n('lswi', 31, 597), n('lswx', 31, 533), n('stswi', 31, 725), n('stswx', 31, 661),
  n('sync', 31, 598), n('eieio', 31, 854), n('dcbst', 31, 54), n('dcbf', 31, 86), n('icbi', 31, 982), n('dcbt', 31, 278),
  n('dcbtst', 31, 246), n('dcba', 31, 758), n('dcbz', 31, 1014), n('tlbie', 31, 306), n('tlbiel', 31, 274),
  n('tlbsync', 31, 566),
  n('mfspr', 31, 339), n('mtspr', 31, 467), n('mftb', 31, 371), n('mfcr', 31, 19), n('mtcrf', 31, 144),
  n('mfmsr', 31, 83), n('mtmsr', 31, 146), n('mtmsrd', 31, 178),
  n('lwzx', 31, 23), n('lwzux', 31, 55), n('lbzx', 31, 87), n('lbzux', 31, 119), n('lhzx', 31, 279), n('lhzux', 31, 311),
  n('lhax', 31, 343), n('lhaux', 31, 375), n('lwax', 31, 341), n('lwaux', 31, 373), n('ldx', 31, 21), n('ldux', 31, 53),
  n('stwx', 31, 151), n('stwux', 31, 183), n('stbx', 31, 215), n('stbux', 31, 247), n('sthx', 31, 407),
  n('sthux', 31, 439), n('stdx', 31, 149), n('stdux', 31, 181), n('lhbrx', 31, 790), n('lwbrx', 31, 534),
  n('ldbrx', 31, 532), n('sthbrx', 31, 918), n('stwbrx', 31, 662), n('stdbrx', 31, 660),
];

/** Known instructions the CPU does not implement yet (names for the report). */
export const NOT_IMPLEMENTED: OpcodeName[] = [
  n('attn', 0), n('stop', 19, 370), n('urfid', 19, 306),
  n('lq', 56, 0), n('stq', 62, 2), n('lfdp', 57, 0), n('lxsd', 57, 2), n('lxssp', 57, 3), n('stfdp', 61, 0),
  n('lxv/stxv', 61, 1), n('stxsd', 61, 2), n('stxssp', 61, 3),
  n('lfs', 48), n('lfsu', 49), n('lfd', 50), n('lfdu', 51), n('stfs', 52), n('stfsu', 53), n('stfd', 54), n('stfdu', 55),
  n('darn', 31, 755), n('wait', 31, 30), n('msgsndp', 31, 142), n('msgclrp', 31, 174), n('msgsnd', 31, 206),
  n('msgclr', 31, 238), n('slbmte', 31, 402), n('slbie', 31, 434), n('slbia', 31, 498), n('slbmfev', 31, 851),
  n('slbmfee', 31, 915), n('slbfee.', 31, 979), n('lqarx', 31, 276), n('stqcx.', 31, 182), n('copy', 31, 774),
  n('paste.', 31, 902), n('cpabort', 31, 838), n('dcbtls', 31, 166), n('icbt', 31, 22), n('addg6s', 31, 74),
  n('lfsx', 31, 535), n('lfsux', 31, 567), n('lfdx', 31, 599), n('lfdux', 31, 631), n('stfsx', 31, 663),
  n('stfsux', 31, 695), n('stfdx', 31, 727), n('stfdux', 31, 759), n('lfiwax', 31, 855), n('lfiwzx', 31, 887),
  n('stfiwx', 31, 983), n('lvx', 31, 103), n('stvx', 31, 231), n('lvsl', 31, 6), n('lvsr', 31, 38),
  n('lxvd2x', 31, 844), n('stxvd2x', 31, 972), n('lxvw4x', 31, 780), n('stxvw4x', 31, 908), n('lxvx', 31, 268),
  n('stxvx', 31, 396), n('lxvl', 31, 269), n('stxvl', 31, 397), n('lxsdx', 31, 588), n('stxsdx', 31, 716),
  n('mfvsrd', 31, 51), n('mfvsrwz', 31, 115), n('mtvsrd', 31, 179), n('mtvsrwa', 31, 211), n('mtvsrwz', 31, 243),
  n('mfvsrld', 31, 307), n('mtvsrws', 31, 403), n('mtvsrdd', 31, 435),
  n('mffs', 63, 583), n('mtfsf', 63, 711), n('mtfsfi', 63, 134), n('fmr', 63, 72), n('fneg', 63, 40), n('fabs', 63, 264),
  n('fcmpu', 63, 0), n('fcmpo', 63, 32), n('fctiw', 63, 14), n('fctiwz', 63, 15), n('fctid', 63, 814),
  n('fctidz', 63, 815), n('fcfid', 63, 846), n('fcfidu', 63, 974), n('frsp', 63, 12),
];

/** A-form FP arithmetic (5-bit XO in bits 26:30) for opcodes 59 and 63. */
const FP_A: Record<number, string> = {
  18: 'fdiv', 20: 'fsub', 21: 'fadd', 22: 'fsqrt', 23: 'fsel', 24: 'fre', 25: 'fmul', 26: 'frsqrte', 28: 'fmsub',
  29: 'fmadd', 30: 'fnmsub', 31: 'fnmadd',
};

const byKey = new Map<number, string>();
for (const o of [...NOT_IMPLEMENTED, ...IMPLEMENTED]) byKey.set((o.op << 16) | (o.xo ?? 0), o.name);

/** The opcode key of an instruction word (same rule as core-as/cpu/unimplemented.ts opcodeKey). */
export function opcodeKey(insn: number): number {
  const op = insn >>> 26;
  let xo = 0;
  switch (op) {
    case 4: xo = insn & 0x7ff; break;
    case 19: case 31: case 59: case 63: case 60: xo = (insn >>> 1) & 0x3ff; break;
    case 30: xo = (insn >>> 1) & 0xf; break;
    case 56: case 57: case 58: case 61: case 62: xo = insn & 7; break;
  }
  return ((op << 16) | xo) >>> 0;
}

/** Best-effort mnemonic of an opcode key (falls back to "opcode P/XO"). */
export function mnemonicOfKey(key: number): string {
  const op = key >>> 16, xo = key & 0xffff;
  const exact = byKey.get(key);
  if (exact) return exact;
  if (op === 58 || op === 62 || op === 56) { const e = byKey.get((op << 16) | (xo & 3)); if (e) return e; }
  if (op === 57 || op === 61) { const e = byKey.get((op << 16) | (xo & 3)) ?? byKey.get((op << 16) | (xo & 7)); if (e) return e; }
  if (op === 59 || op === 63) {
    const a = FP_A[xo & 0x1f];
    if (a) return op === 59 ? a + 's' : a;
    return `FP opcode ${op}/${xo}`;
  }
  if (op === 4) {
    if ((xo & 0x3f) < 32) return `VMX 4/${xo}`;
    return byKey.get((4 << 16) | (xo & 0x3f)) ?? `VMX VA-form 4/${xo & 0x3f}`; // VA-form: 6-bit XO
  }
  if (op === 60) return `VSX 60/${xo}`;
  if (op === 31 && (xo & 0x1f) === 15) return 'isel';
  return `opcode ${op}/${xo}`;
}

export function mnemonicOf(insn: number): string {
  return mnemonicOfKey(opcodeKey(insn));
}
