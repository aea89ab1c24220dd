// What the differential vectors cover: for each mnemonic, the assembler lines to run (one or more
// variants, e.g. different immediates) and how to choose inputs. Registers by convention:
// r3 = RT, r4 = RA, r5 = RB, r6 = RC/RS2, r7 = spare; r4 holds the data address in memory cases.

export type Kind = 'reg' | 'mem' | 'branch' | 'trap';

export interface Spec {
  /** Mnemonic as objdump spells it (the coverage key). */
  name: string;
  /** Assembly variants (';' separates instructions of one sequence). */
  asm: string[];
  kind: Kind;
  /** Input pools for r4/r5/r6 ('val' = general, 'shift' = shift amounts, 'off' = small signed byte offsets,
   *  'aligned8' = offsets that are multiples of 8). In memory cases r4 is the address (buffer + 256 + offset). */
  pools?: { r4?: Pool; r5?: Pool; r6?: Pool };
  /** Cases per variant. */
  cases?: number;
  /** Big-endian only (multiple/string instructions raise alignment in LE). */
  beOnly?: boolean;
}

export type Pool = 'val' | 'shift' | 'off' | 'aligned8';

const spec = (name: string, asm: string | string[], kind: Kind = 'reg', more: Partial<Spec> = {}): Spec =>
  ({ name, asm: Array.isArray(asm) ? asm : [asm], kind, ...more });

/** XO-form: the four spellings (plain, '.', 'o', 'o.') are separate mnemonics. */
function xo4(base: string, ops: string, more: Partial<Spec> = {}): Spec[] {
  return [base, base + '.', base + 'o', base + 'o.'].map((n) => spec(n, `${n} ${ops}`, 'reg', more));
}
/** X-form with Rc: plain and '.'. */
function rc2(base: string, ops: string, more: Partial<Spec> = {}): Spec[] {
  return [base, base + '.'].map((n) => spec(n, `${n} ${ops}`, 'reg', more));
}

// Deterministic immediates for rotate variants.
function rotVariants(n: string, count: number, make: (k: number) => string): string[] {
  return Array.from({ length: count }, (_, k) => `${n} ${make(k)}`);
}
const SH32 = [0, 1, 5, 16, 31, 13, 27, 8];
const MB32 = [0, 31, 16, 4, 24, 0, 30, 12];
const ME32 = [31, 0, 15, 27, 7, 31, 1, 20];
const SH64 = [0, 1, 7, 31, 32, 63, 48, 13];
const MB64 = [0, 63, 32, 1, 17, 48, 5, 60];

export const SPECS: Spec[] = [
  // ---- arithmetic
  spec('addi', ['addi 3,4,0', 'addi 3,4,1', 'addi 3,4,-1', 'addi 3,4,32767', 'addi 3,4,-32768', 'addi 3,0,-7']),
  spec('addis', ['addis 3,4,0', 'addis 3,4,1', 'addis 3,4,-1', 'addis 3,4,32767', 'addis 3,4,-32768', 'addis 3,0,0x1234']),
  spec('addic', ['addic 3,4,1', 'addic 3,4,-1', 'addic 3,4,32767', 'addic 3,4,-32768']),
  spec('addic.', ['addic. 3,4,1', 'addic. 3,4,-1', 'addic. 3,4,0', 'addic. 3,4,-32768']),
  spec('subfic', ['subfic 3,4,0', 'subfic 3,4,1', 'subfic 3,4,-1', 'subfic 3,4,32767', 'subfic 3,4,-32768']),
  spec('mulli', ['mulli 3,4,3', 'mulli 3,4,-1', 'mulli 3,4,32767', 'mulli 3,4,-32768']),
  ...xo4('add', '3,4,5'), ...xo4('addc', '3,4,5'), ...xo4('adde', '3,4,5'),
  ...xo4('addme', '3,4'), ...xo4('addze', '3,4'),
  ...xo4('subf', '3,4,5'), ...xo4('subfc', '3,4,5'), ...xo4('subfe', '3,4,5'),
  ...xo4('subfme', '3,4'), ...xo4('subfze', '3,4'), ...xo4('neg', '3,4'),
  ...xo4('mullw', '3,4,5'), ...xo4('mulld', '3,4,5'),
  ...rc2('mulhw', '3,4,5'), ...rc2('mulhwu', '3,4,5'), ...rc2('mulhd', '3,4,5'), ...rc2('mulhdu', '3,4,5'),
  ...xo4('divw', '3,4,5'), ...xo4('divwu', '3,4,5'), ...xo4('divd', '3,4,5'), ...xo4('divdu', '3,4,5'),
  ...xo4('divwe', '3,4,5'), ...xo4('divweu', '3,4,5'), ...xo4('divde', '3,4,5'), ...xo4('divdeu', '3,4,5'),
  spec('modsw', 'modsw 3,4,5'), spec('moduw', 'moduw 3,4,5'), spec('modsd', 'modsd 3,4,5'), spec('modud', 'modud 3,4,5'),
  spec('maddhd', 'maddhd 3,4,5,6'), spec('maddhdu', 'maddhdu 3,4,5,6'), spec('maddld', 'maddld 3,4,5,6'),
  spec('addex', 'addex 3,4,5,0'),
  // ---- logical
  spec('andi.', ['andi. 3,4,0', 'andi. 3,4,0xffff', 'andi. 3,4,0x8001', 'andi. 3,4,0x00f0']),
  spec('andis.', ['andis. 3,4,0', 'andis. 3,4,0xffff', 'andis. 3,4,0x8001']),
  spec('ori', ['ori 3,4,0', 'ori 3,4,0xffff', 'ori 3,4,0x1234']),
  spec('oris', ['oris 3,4,0', 'oris 3,4,0xffff', 'oris 3,4,0x8000']),
  spec('xori', ['xori 3,4,0', 'xori 3,4,0xffff', 'xori 3,4,0x5a5a']),
  spec('xoris', ['xoris 3,4,0', 'xoris 3,4,0xffff', 'xoris 3,4,0x8000']),
  ...['and', 'andc', 'nor', 'eqv', 'xor', 'orc', 'or', 'nand'].flatMap((n) => rc2(n, '3,4,5')),
  ...['extsb', 'extsh', 'extsw', 'cntlzw', 'cntlzd', 'cnttzw', 'cnttzd'].flatMap((n) => rc2(n, '3,4')),
  spec('popcntb', 'popcntb 3,4'), spec('popcntw', 'popcntw 3,4'), spec('popcntd', 'popcntd 3,4'),
  spec('prtyw', 'prtyw 3,4'), spec('prtyd', 'prtyd 3,4'),
  spec('bpermd', 'bpermd 3,4,5'), spec('cmpb', 'cmpb 3,4,5'),
  // ---- compare and CR results
  spec('cmpw', ['cmpw 0,4,5', 'cmpw 3,4,5', 'cmpw 7,4,5']), spec('cmpd', ['cmpd 0,4,5', 'cmpd 5,4,5']),
  spec('cmplw', ['cmplw 0,4,5', 'cmplw 2,4,5']), spec('cmpld', ['cmpld 0,4,5', 'cmpld 6,4,5']),
  spec('cmpwi', ['cmpwi 0,4,0', 'cmpwi 1,4,-1', 'cmpwi 7,4,32767', 'cmpwi 0,4,-32768']),
  spec('cmpdi', ['cmpdi 0,4,0', 'cmpdi 4,4,-1', 'cmpdi 0,4,100']),
  spec('cmplwi', ['cmplwi 0,4,0', 'cmplwi 3,4,0xffff', 'cmplwi 0,4,0x8000']),
  spec('cmpldi', ['cmpldi 0,4,0', 'cmpldi 2,4,0xffff']),
  spec('cmprb', ['cmprb 0,0,4,5', 'cmprb 3,1,4,5']), spec('cmpeqb', ['cmpeqb 0,4,5', 'cmpeqb 5,4,5']),
  spec('setb', ['setb 3,0', 'setb 3,5', 'setb 3,7']),
  spec('mcrxrx', ['mcrxrx 0', 'mcrxrx 6']),
  spec('isel', ['isel 3,4,5,0', 'isel 3,4,5,2', 'isel 3,0,5,31', 'isel 3,4,5,13']),
  // ---- rotate / shift
  spec('rlwinm', [...rotVariants('rlwinm', 8, (k) => `3,4,${SH32[k]},${MB32[k]},${ME32[k]}`), 'rlwinm. 3,4,3,0,31']),
  spec('rlwinm.', rotVariants('rlwinm.', 4, (k) => `3,4,${SH32[k + 2]},${MB32[k + 3]},${ME32[k]}`)),
  spec('rlwnm', rotVariants('rlwnm', 6, (k) => `3,4,5,${MB32[k]},${ME32[k]}`), 'reg', { pools: { r5: 'shift' } }),
  spec('rlwnm.', ['rlwnm. 3,4,5,0,31', 'rlwnm. 3,4,5,16,7'], 'reg', { pools: { r5: 'shift' } }),
  spec('rlwimi', rotVariants('rlwimi', 8, (k) => `3,4,${SH32[k]},${MB32[k]},${ME32[k]}`)),
  spec('rlwimi.', ['rlwimi. 3,4,8,0,23', 'rlwimi. 3,4,31,31,0']),
  spec('rldicl', [...rotVariants('rldicl', 8, (k) => `3,4,${SH64[k]},${MB64[k]}`)]),
  spec('rldicl.', ['rldicl. 3,4,1,0', 'rldicl. 3,4,63,32']),
  spec('rldicr', rotVariants('rldicr', 8, (k) => `3,4,${SH64[k]},${MB64[7 - k]}`)),
  spec('rldicr.', ['rldicr. 3,4,4,59']),
  spec('rldic', rotVariants('rldic', 8, (k) => `3,4,${SH64[k]},${MB64[k]}`)),
  spec('rldic.', ['rldic. 3,4,8,8']),
  spec('rldimi', rotVariants('rldimi', 8, (k) => `3,4,${SH64[k]},${MB64[k]}`)),
  spec('rldimi.', ['rldimi. 3,4,32,0']),
  spec('rldcl', rotVariants('rldcl', 4, (k) => `3,4,5,${MB64[k]}`), 'reg', { pools: { r5: 'shift' } }),
  spec('rldcl.', ['rldcl. 3,4,5,0'], 'reg', { pools: { r5: 'shift' } }),
  spec('rldcr', rotVariants('rldcr', 4, (k) => `3,4,5,${MB64[k]}`), 'reg', { pools: { r5: 'shift' } }),
  spec('rldcr.', ['rldcr. 3,4,5,63'], 'reg', { pools: { r5: 'shift' } }),
  ...['slw', 'srw', 'sraw', 'sld', 'srd', 'srad'].flatMap((n) => rc2(n, '3,4,5', { pools: { r5: 'shift' } })),
  spec('srawi', ['srawi 3,4,0', 'srawi 3,4,1', 'srawi 3,4,31', 'srawi 3,4,16']),
  spec('srawi.', ['srawi. 3,4,4']),
  spec('sradi', ['sradi 3,4,0', 'sradi 3,4,1', 'sradi 3,4,31', 'sradi 3,4,32', 'sradi 3,4,63']),
  spec('sradi.', ['sradi. 3,4,7', 'sradi. 3,4,40']),
  spec('extswsli', ['extswsli 3,4,0', 'extswsli 3,4,1', 'extswsli 3,4,32', 'extswsli 3,4,63']),
  spec('extswsli.', ['extswsli. 3,4,3']),
  // ---- CR logic and moves
  ...['crand', 'crandc', 'creqv', 'crnand', 'crnor', 'cror', 'crorc', 'crxor'].map((n) =>
    spec(n, [`${n} 0,1,2`, `${n} 31,7,12`, `${n} 5,5,5`, `${n} 16,30,3`])),
  spec('mcrf', ['mcrf 0,7', 'mcrf 5,2', 'mcrf 3,3']),
  spec('mfcr', 'mfcr 3'),
  spec('mfocrf', ['mfocrf 3,0x80', 'mfocrf 3,0x01', 'mfocrf 3,0x10']),
  spec('mtcrf', ['mtcrf 0xff,4', 'mtcrf 0x81,4', 'mtcrf 0x00,4', 'mtcrf 0x3c,4']),
  spec('mtocrf', ['mtocrf 0x80,4', 'mtocrf 0x04,4']),
  spec('mtspr', ['mtxer 4;mfxer 3', 'mtlr 4;mflr 3', 'mtctr 4;mfctr 3']),
  spec('mfspr', ['mfxer 3', 'mflr 3', 'mfctr 3']),
  // ---- branches (taken -> r3 = 1; sequences end at the same place)
  spec('b', ['li 3,0;b 1f;li 3,1;1:'], 'branch'),
  spec('bl', ['li 3,0;bl 1f;li 3,1;1:'], 'branch'),
  spec('bc', ['li 3,0;bc 12,2,1f;li 3,1;1:', 'li 3,0;bc 4,0,1f;li 3,1;1:', 'li 3,0;bc 16,0,1f;li 3,1;1:',
    'li 3,0;bc 18,0,1f;li 3,1;1:', 'li 3,0;bc 8,29,1f;li 3,1;1:', 'li 3,0;bc 0,30,1f;li 3,1;1:',
    'li 3,0;bc 10,3,1f;li 3,1;1:', 'li 3,0;bc 2,17,1f;li 3,1;1:', 'li 3,0;bc 20,0,1f;li 3,1;1:'], 'branch'),
  spec('bcl', ['li 3,0;bcl 12,2,1f;li 3,1;1:', 'li 3,0;bcl 4,9,1f;li 3,1;1:'], 'branch'),
  spec('bclr', ['bl 1f;1:mflr 6;addi 6,6,20;mtlr 6;bclr 12,2;li 3,1', 'bl 1f;1:mflr 6;addi 6,6,20;mtlr 6;bclr 16,0;li 3,1',
    'bl 1f;1:mflr 6;addi 6,6,20;mtlr 6;bclr 4,1;li 3,1', 'bl 1f;1:mflr 6;addi 6,6,20;mtlr 6;bclr 0,6;li 3,1'], 'branch'),
  spec('bclrl', ['bl 1f;1:mflr 6;addi 6,6,20;mtlr 6;bclrl 12,2;li 3,1', 'bl 1f;1:mflr 6;addi 6,6,20;mtlr 6;bclrl 4,2;li 3,1'], 'branch'),
  spec('bcctr', ['bl 1f;1:mflr 6;addi 6,6,20;mtctr 6;bcctr 12,2;li 3,1', 'bl 1f;1:mflr 6;addi 6,6,20;mtctr 6;bcctr 20,0;li 3,1',
    'bl 1f;1:mflr 6;addi 6,6,20;mtctr 6;bcctr 4,30;li 3,1'], 'branch'),
  spec('bcctrl', ['bl 1f;1:mflr 6;addi 6,6,20;mtctr 6;bcctrl 12,2;li 3,1'], 'branch'),
  spec('bctar', ['bl 1f;1:mflr 6;addi 6,6,20;mtspr 815,6;bctar 12,2;li 3,1', 'bl 1f;1:mflr 6;addi 6,6,20;mtspr 815,6;bctar 16,0;li 3,1'], 'branch'),
  spec('bctarl', ['bl 1f;1:mflr 6;addi 6,6,20;mtspr 815,6;bctarl 20,0;li 3,1'], 'branch'),
  // ---- traps (trapped cases become program interrupts in our tests)
  spec('tw', ['tw 4,4,5', 'tw 16,4,5', 'tw 8,4,5', 'tw 2,4,5', 'tw 1,4,5', 'tw 24,4,5', 'tw 0,4,5'], 'trap'),
  spec('td', ['td 4,4,5', 'td 16,4,5', 'td 8,4,5', 'td 2,4,5', 'td 1,4,5', 'td 3,4,5'], 'trap'),
  spec('twi', ['twi 4,4,0', 'twi 16,4,-1', 'twi 8,4,100', 'twi 2,4,-2', 'twi 1,4,7', 'twi 0,4,0'], 'trap'),
  spec('tdi', ['tdi 4,4,0', 'tdi 16,4,-1', 'tdi 8,4,100', 'tdi 2,4,-2', 'tdi 1,4,7', 'tdi 0,0,0x48'], 'trap'),
  // ---- barriers and cache hints (no architected register effect)
  spec('sync', ['sync', 'lwsync', 'hwsync', 'ptesync']), spec('isync', 'isync'), spec('eieio', 'eieio'),
  spec('dcbf', 'dcbf 0,4', 'mem'), spec('dcbst', 'dcbst 0,4', 'mem'), spec('icbi', 'icbi 0,4', 'mem'),
  spec('dcbt', 'dcbt 0,4', 'mem'), spec('dcbtst', 'dcbtst 0,4', 'mem'),
  spec('dcbz', ['dcbz 0,4', 'dcbz 4,5'], 'mem', { pools: { r5: 'off' } }),
  // ---- loads and stores
  ...loadStore(),
  // ---- reservations
  spec('lwarx', ['lwarx 3,0,4;stwcx. 5,0,4', 'lwarx 3,0,4'], 'mem', { pools: { r4: 'aligned8' } }),
  spec('ldarx', ['ldarx 3,0,4;stdcx. 5,0,4', 'ldarx 3,0,4'], 'mem', { pools: { r4: 'aligned8' } }),
  spec('lbarx', ['lbarx 3,0,4;stbcx. 5,0,4', 'lbarx 3,0,4'], 'mem'),
  spec('lharx', ['lharx 3,0,4;sthcx. 5,0,4', 'lharx 3,0,4'], 'mem', { pools: { r4: 'aligned8' } }),
  spec('stwcx.', ['lwarx 3,0,4;stwcx. 5,0,4;stwcx. 6,0,4', 'lwarx 3,0,4;addi 7,4,8;stwcx. 5,0,7'], 'mem', { pools: { r4: 'aligned8' } }),
  spec('stdcx.', ['ldarx 3,0,4;stdcx. 5,0,4;stdcx. 6,0,4'], 'mem', { pools: { r4: 'aligned8' } }),
  spec('stbcx.', ['lbarx 3,0,4;stbcx. 5,0,4;stbcx. 6,0,4'], 'mem'),
  spec('sthcx.', ['lharx 3,0,4;sthcx. 5,0,4;sthcx. 6,0,4'], 'mem', { pools: { r4: 'aligned8' } }),
  // ---- multiple and string (big-endian only)
  spec('lmw', ['lmw 28,0(4)', 'lmw 29,-8(4)'], 'mem', { beOnly: true }),
  spec('stmw', ['stmw 28,0(4)', 'stmw 30,12(4)'], 'mem', { beOnly: true }),
  spec('lswi', ['lswi 28,4,4', 'lswi 28,4,7', 'lswi 28,4,13', 'lswi 30,4,1', 'lswi 31,4,3'], 'mem', { beOnly: true }),
  spec('stswi', ['stswi 5,4,4', 'stswi 5,4,7', 'stswi 5,4,3', 'stswi 6,4,8'], 'mem', { beOnly: true }),
  spec('lswx', ['lswx 28,4,5'], 'mem', { beOnly: true, pools: { r5: 'off' } }),
  spec('stswx', ['stswx 6,4,5'], 'mem', { beOnly: true, pools: { r5: 'off' } }),
  spec('addpcis', ['addpcis 3,0;addpcis 5,1'], 'branch'),
];

function loadStore(): Spec[] {
  const d = ['0', '8', '-8', '3', '-125', '100'];
  const ds = ['0', '8', '-8', '16', '-128', '96'];
  const out: Spec[] = [];
  const dform = (n: string, rt: number, list: string[]) => out.push(spec(n, list.map((x) => `${n} ${rt},${x}(4)`), 'mem'));
  for (const n of ['lbz', 'lhz', 'lha', 'lwz', 'lbzu', 'lhzu', 'lhau', 'lwzu']) dform(n, 3, d);
  for (const n of ['ld', 'ldu', 'lwa']) dform(n, 3, ds);
  for (const n of ['stb', 'sth', 'stw', 'stbu', 'sthu', 'stwu']) dform(n, 5, d);
  for (const n of ['std', 'stdu']) dform(n, 5, ds);
  for (const n of ['lbzx', 'lhzx', 'lhax', 'lwzx', 'lwax', 'ldx', 'lbzux', 'lhzux', 'lhaux', 'lwzux', 'lwaux', 'ldux',
    'lhbrx', 'lwbrx', 'ldbrx']) {
    out.push(spec(n, n.includes('ux') ? [`${n} 3,4,5`] : [`${n} 3,4,5`, `${n} 3,0,4`], 'mem', { pools: { r5: 'off' } }));
  }
  for (const n of ['stbx', 'sthx', 'stwx', 'stdx', 'stbux', 'sthux', 'stwux', 'stdux', 'sthbrx', 'stwbrx', 'stdbrx']) {
    out.push(spec(n, n.includes('ux') ? [`${n} 6,4,5`] : [`${n} 6,4,5`, `${n} 6,0,4`], 'mem', { pools: { r5: 'off' } }));
  }
  return out;
}
