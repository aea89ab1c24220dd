// Differential ISA vector generator (not needed to run the tests). For every spec in specs.ts it
// writes a C program whose inline assembly loads r3..r7, r28..r31, XER, CR, CTR, LR from a table,
// runs the instruction sequence, and prints the results; the program is cross-compiled for
// ppc64le and ppc64 (Debian gcc-powerpc64{le,}-linux-gnu, -mcpu=power9) and run under qemu-user
// (-cpu power9), our reference. Results go to test/isa/vectors/<mode>.json.
//
//   npx tsx scripts/isa-vectors/gen.ts
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { SPECS, type Spec, type Pool } from './specs.js';
import { SLOTS, type Vector } from './vector-format.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const outDir = join(root, 'test/isa/vectors');

/** Register slots of a case, in table order. */
const GPR_SLOTS = SLOTS.slice(0, 9);

// xorshift64*: deterministic inputs, so regenerating gives the same vectors.
let seed = 0x9e3779b97f4a7c15n;
function rnd(): bigint {
  seed ^= seed >> 12n; seed ^= (seed << 25n) & 0xffffffffffffffffn; seed ^= seed >> 27n;
  return (seed * 0x2545f4914f6cdd1dn) & 0xffffffffffffffffn;
}
const pick = <T>(a: readonly T[]): T => a[Number(rnd() % BigInt(a.length))];

const EDGE = [0n, 1n, 2n, 3n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n, 0xffffffffn,
  0x100000000n, 0x17fffffffn, 0x7fffffffffffffffn, 0x8000000000000000n, 0xffffffffffffffffn, 0xfffffffffffffffen,
  0x8000000000000001n, 0xffffffff80000000n, 0x123456789abcdef0n, 0xfedcba9876543210n, 0xffffffff7fffffffn];
const SHIFTS = [0n, 1n, 7n, 31n, 32n, 33n, 63n, 64n, 65n, 127n, 128n, 0xffffffffffffffe1n];
const XERS = [0n, 0x20000000n, 0x80000000n, 0x40000000n, 0xe00c0000n, 0x20040000n];

function value(p: Pool | undefined): bigint {
  switch (p) {
    case 'shift': return rnd() % 3n == 0n ? rnd() & 0xffn : pick(SHIFTS);
    case 'off': return BigInt.asUintN(64, BigInt(Number(rnd() % 121n) - 60));
    case 'aligned8': return BigInt.asUintN(64, BigInt((Number(rnd() % 15n) - 7) * 8));
    default: return rnd() % 2n == 0n ? pick(EDGE) : rnd() % 3n == 0n ? rnd() & 0xffffffffn : rnd();
  }
}

interface Variant { spec: Spec; asm: string; inputs: bigint[][] }

function variants(be: boolean): Variant[] {
  const out: Variant[] = [];
  for (const s of SPECS) {
    if (s.beOnly && !be) continue;
    const per = s.cases ?? Math.max(6, Math.ceil(24 / s.asm.length));
    for (const asm of s.asm) {
      const inputs: bigint[][] = [];
      for (let c = 0; c < per; c++) {
        const v = SLOTS.map(() => value('val'));
        v[1] = value(s.pools?.r4 ?? (s.kind === 'mem' ? 'off' : 'val'));
        v[2] = value(s.pools?.r5);
        v[3] = value(s.pools?.r6);
        v[9] = /lswx/.test(asm) ? rnd() % 17n : /stswx/.test(asm) ? rnd() % 9n : pick(XERS); // stswx 6: r6, r7 only
        v[10] = rnd() & 0xffffffffn;
        v[11] = c % 4 == 0 ? 1n : value('val');
        v[12] = 0n;
        inputs.push(v);
      }
      out.push({ spec: s, asm, inputs });
    }
  }
  return out;
}

const hex = (v: bigint): string => '0x' + v.toString(16) + 'ULL';

function cProgram(vs: Variant[]): string {
  const L: string[] = [
    '#include <stdio.h>', '#include <stdint.h>', '#include <signal.h>', '#include <string.h>', '#include <ucontext.h>',
    'static unsigned char buf[512] __attribute__((aligned(256)));',
    'static volatile int trapped;',
    'static void on_sig(int sig, siginfo_t *si, void *ctx) { (void)si; ucontext_t *uc = ctx; uc->uc_mcontext.gp_regs[32] += 4; trapped = sig; }',
  ];
  const clob = ['r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r28', 'r29', 'r30', 'r31', 'lr', 'ctr', 'xer',
    'cr0', 'cr1', 'cr2', 'cr3', 'cr4', 'cr5', 'cr6', 'cr7', 'memory'].map((c) => `"${c}"`).join(',');
  const ldRegs = ['3', '4', '5', '6', '7', '28', '29', '30', '31'];
  vs.forEach((v, n) => {
    const body = v.asm.split(';').join('\\n\\t');
    const loads = ldRegs.map((r, k) => `ld ${r},${k * 8}(%0)`).join('\\n\\t');
    const stores = ldRegs.map((r, k) => `std ${r},${k * 8}(%1)`).join('\\n\\t');
    L.push(`extern const uint32_t vs_${n}[], ve_${n}[];`);
    L.push(`static void __attribute__((noinline)) t_${n}(const uint64_t *in, uint64_t *out) {`);
    L.push(`  __asm__ volatile("${loads}\\n\\tld 8,72(%0)\\n\\tmtxer 8\\n\\tld 8,80(%0)\\n\\tmtcrf 0xff,8\\n\\tld 8,88(%0)\\n\\tmtctr 8\\n\\tld 8,96(%0)\\n\\tmtlr 8\\n`
      + `.globl vs_${n}\\nvs_${n}:\\n\\t${body}\\n.globl ve_${n}\\nve_${n}:\\n\\t`
      + `${stores}\\n\\tmfxer 8\\n\\tstd 8,72(%1)\\n\\tmfcr 8\\n\\tstd 8,80(%1)\\n\\tmfctr 8\\n\\tstd 8,88(%1)\\n\\tmflr 8\\n\\tstd 8,96(%1)\\n"`);
    L.push(`    : : "b"(in), "b"(out) : ${clob});`);
    L.push('}');
    L.push(`static const uint64_t in_${n}[${v.inputs.length}][13] = {`
      + v.inputs.map((r) => '{' + r.map(hex).join(',') + '}').join(',') + '};');
  });
  L.push('static void run(int n, void (*f)(const uint64_t *, uint64_t *), const uint64_t (*in)[13], int cases, const uint32_t *s, const uint32_t *e) {');
  L.push('  for (int c = 0; c < cases; c++) {');
  L.push('    uint64_t x[13], out[13]; memcpy(x, in[c], sizeof x);');
  L.push('    for (int k = 0; k < 512; k++) buf[k] = (unsigned char)(k * 37 + 11);');
  L.push('    x[1] += (uint64_t)(uintptr_t)(buf + 256);');
  L.push('    trapped = 0; f(x, out);');
  L.push('    printf("V %d %d %d %llx %llx %llx", n, c, trapped, (unsigned long long)(uintptr_t)s, (unsigned long long)(uintptr_t)e, (unsigned long long)(uintptr_t)(buf + 256));');
  L.push('    for (int k = 0; k < 13; k++) printf(" %llx", (unsigned long long)out[k]);');
  L.push('    printf(" |"); for (const uint32_t *p = s; p < e; p++) printf(" %x", *p);');
  L.push('    printf(" |"); for (int k = 0; k < 512; k++) if (buf[k] != (unsigned char)(k * 37 + 11)) printf(" %d:%x", k - 256, buf[k]);');
  L.push('    printf("\\n");');
  L.push('  }');
  L.push('}');
  L.push('int main(void) {');
  L.push('  struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_sigaction = on_sig; sa.sa_flags = SA_SIGINFO;');
  L.push('  sigaction(SIGTRAP, &sa, 0); sigaction(SIGILL, &sa, 0); sigaction(SIGBUS, &sa, 0); sigaction(SIGSEGV, &sa, 0);');
  vs.forEach((v, n) => {
    L.push(`  run(${n}, t_${n}, in_${n}, ${v.inputs.length}, vs_${n}, ve_${n});`);
  });
  L.push('  return 0;');
  L.push('}');
  return L.join('\n') + '\n';
}


/**
 * Cases where qemu-user 7.2 is known to disagree with Power ISA 3.0 are left out instead of
 * teaching our CPU a reference bug: divde/divdeo with a quotient that does not fit in 64 signed
 * bits (the ISA: undefined result and OV = 1; QEMU 7.2 returns a truncated quotient, OV = 0).
 */
function referenceSane(asm: string, inV: bigint[], _outs: bigint[]): boolean {
  if (/^divde[o.]* /.test(asm)) {
    const a = BigInt.asIntN(64, inV[1]), b = BigInt.asIntN(64, inV[2]);
    if (b === 0n) return true;
    const q = (a << 64n) / b;
    return q >= -(1n << 63n) && q < (1n << 63n);
  }
  return true;
}

function generate(be: boolean): void {
  seed = be ? 0x1234567n : 0x7654321n;
  const vs = variants(be);
  // Memory cases get r4 = buffer + 256 + offset (memcase[] in the C program); the others the raw value.
  const dir = mkdtempSync(join(tmpdir(), 'isa-vectors-'));
  const cfile = join(dir, 't.c');
  const exe = join(dir, 't');
  writeFileSync(cfile, cProgram(vs).replace('x[1] += (uint64_t)(uintptr_t)(buf + 256);',
    'if (memcase[n]) x[1] += (uint64_t)(uintptr_t)(buf + 256);')
    .replace('static void run(int n,', `static const unsigned char memcase[${vs.length}] = {${vs.map((v) => v.spec.kind === 'mem' ? 1 : 0).join(',')}};\nstatic void run(int n,`));
  const cc = be ? 'powerpc64-linux-gnu-gcc' : 'powerpc64le-linux-gnu-gcc';
  execFileSync(cc, ['-O2', '-mcpu=power9', '-static', '-fomit-frame-pointer', '-o', exe, cfile], { stdio: 'inherit' });
  const qemu = be ? 'qemu-ppc64' : 'qemu-ppc64le';
  const text = execFileSync(qemu, ['-cpu', 'power9', exe], { maxBuffer: 1 << 28 }).toString();
  const vectors: Vector[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('V ')) continue;
    const [head, words, mem] = line.split('|');
    const f = head.trim().split(' ');
    const n = Number(f[1]), c = Number(f[2]), sig = Number(f[3]);
    const s = BigInt('0x' + f[4]), e = BigInt('0x' + f[5]), data = BigInt('0x' + f[6]);
    const outs = f.slice(7, 20).map((x) => BigInt('0x' + x));
    const v = vs[n];
    if (sig !== 0 && sig !== 5 /* SIGTRAP */) throw new Error(`${v.asm}: signal ${sig} under ${qemu}`);
    const isMem = v.spec.kind === 'mem';
    // Addresses are relative: r4 in memory cases is an offset from the data address; other
    // registers that point into the data buffer are "d+N", code addresses in branch cases "pc+N".
    const rel = (x: bigint, k: number): string => {
      if (isMem && k === 1) return BigInt.asUintN(64, x - data).toString(16);
      if (isMem && k < 9 && x >= data - 256n && x < data + 256n) return 'd+' + BigInt.asUintN(64, x - data).toString(16);
      if (v.spec.kind === 'branch' && x >= s && x < e + 0x20000n) return 'pc+' + (x - s).toString(16);
      return x.toString(16);
    };
    const inV = v.inputs[c];
    if (!sig && !referenceSane(v.asm, inV, outs)) continue;
    vectors.push({
      m: v.spec.name,
      asm: v.asm,
      code: words.trim().split(' ').filter(Boolean).map((w) => w.padStart(8, '0')),
      in: inV.map((x) => x.toString(16)),
      out: outs.map((x, k) => (sig ? inV[k].toString(16) : rel(x, k))),
      ...(sig ? { trap: true } : {}),
      ...(isMem ? { mem: mem.trim().split(' ').filter(Boolean).map((p) => p.split(':')).map(([o, b]) => [Number(o), parseInt(b, 16)] as [number, number]) } : {}),
    });
    if (sig) {
      // The handler skipped the trap; the registers QEMU printed must equal the inputs.
      outs.forEach((x, k) => {
        if (k < 9 && x !== (k === 1 && isMem ? inV[1] + data : inV[k])) throw new Error(`${v.asm}: trap changed r${GPR_SLOTS[k]}`);
      });
    }
  }
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, be ? 'be.json' : 'le.json');
  writeFileSync(file, '[\n' + vectors.map((v) => JSON.stringify(v)).join(',\n') + '\n]\n');
  console.log(`${file}: ${vectors.length} vectors, ${new Set(vectors.map((v) => v.m)).size} mnemonics`);
}

generate(false);
generate(true);
