// ELF64 loader: QEMU spapr placement ((paddr & 0x0fffffff) + 0x400000), both byte orders, strict errors.
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadElfKernel, parseElf64, translateKernelAddress, ElfError, type RamTarget } from '../../host-ts/boot/elf-loader.js';
import { initrdBase, loadBios, loadFdt, fdtAddress, loadInitrd } from '../../host-ts/boot/boot-images.js';

const GUESTS = join(__dirname, '../../guests/prebuilt');

/** A plain RAM image for the loaders (no Wasm needed). */
class FakeRam implements RamTarget {
  readonly bytes: Uint8Array;
  constructor(readonly ramSize: number) { this.bytes = new Uint8Array(ramSize).fill(0xee); }
  writeRam(ra: number, b: Uint8Array): void {
    if (ra < 0 || ra + b.length > this.ramSize) throw new RangeError('outside RAM');
    this.bytes.set(b, ra);
  }
}

interface Seg { paddr: bigint; vaddr?: bigint; data: number[]; memsz?: number; type?: number }

/** Builds a minimal ELF64 (header + program headers + segment data). */
function makeElf(segs: Seg[], opts: { le?: boolean; machine?: number; entry?: bigint; type?: number } = {}): Uint8Array {
  const le = opts.le ?? false;
  const phoff = 64;
  let dataOff = phoff + 56 * segs.length;
  const total = dataOff + segs.reduce((n, s) => n + s.data.length, 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, le ? 1 : 2, 1]);
  dv.setUint16(16, opts.type ?? 2, le);
  dv.setUint16(18, opts.machine ?? 21, le);
  dv.setUint32(20, 1, le);
  dv.setBigUint64(24, opts.entry ?? 0n, le);
  dv.setBigUint64(32, BigInt(phoff), le);
  dv.setUint16(52, 64, le);
  dv.setUint16(54, 56, le);
  dv.setUint16(56, segs.length, le);
  segs.forEach((s, i) => {
    const o = phoff + 56 * i;
    dv.setUint32(o, s.type ?? 1, le);
    dv.setUint32(o + 4, 7, le);
    dv.setBigUint64(o + 8, BigInt(dataOff), le);
    dv.setBigUint64(o + 16, s.vaddr ?? s.paddr, le);
    dv.setBigUint64(o + 24, s.paddr, le);
    dv.setBigUint64(o + 32, BigInt(s.data.length), le);
    dv.setBigUint64(o + 40, BigInt(s.memsz ?? s.data.length), le);
    out.set(s.data, dataOff);
    dataOff += s.data.length;
  });
  return out;
}

describe('ELF64 kernel loader', () => {
  test('QEMU kernel-address translation', () => {
    expect(translateKernelAddress(0n)).toBe(0x400000);
    expect(translateKernelAddress(0xc000000000000000n)).toBe(0x400000);
    expect(translateKernelAddress(0xc000000001234000n)).toBe(0x1634000);
    expect(translateKernelAddress(0x10000000n)).toBe(0x400000); // bit 28 and up are dropped
  });

  test('big-endian, two segments with BSS: data placed, BSS zeroed, size = sum of memsz', () => {
    const ram = new FakeRam(16 << 20);
    const elf = makeElf([
      { paddr: 0xc000000000000000n, data: [1, 2, 3, 4] },
      { paddr: 0xc000000000010000n, data: [9, 8], memsz: 0x10 },
    ], { entry: 0xc000000000000000n });
    const k = loadElfKernel(ram, elf);
    expect(k).toMatchObject({ addr: 0x400000, size: 4 + 0x10, littleEndian: false, low: 0x400000, high: 0x410010, entry: 0x400000 });
    expect([...ram.bytes.subarray(0x400000, 0x400005)]).toEqual([1, 2, 3, 4, 0xee]);
    expect([...ram.bytes.subarray(0x410000, 0x410011)]).toEqual([9, 8, ...new Array(14).fill(0), 0xee]);
  });

  test('little-endian prebuilt guest: one segment at paddr 0, memsz > filesz', () => {
    const bytes = new Uint8Array(readFileSync(join(GUESTS, 'hello-le.elf')));
    const img = parseElf64(bytes);
    expect(img.littleEndian).toBe(true);
    expect(img.segments).toHaveLength(1);
    expect(img.segments[0].paddr).toBe(0n);
    expect(img.segments[0].vaddr).toBe(0x400000n);
    const ram = new FakeRam(8 << 20);
    const k = loadElfKernel(ram, bytes);
    expect(k.addr).toBe(0x400000);
    expect(k.size).toBe(img.segments[0].memsz);
    // first word: "b le_entry" (+56) stored little-endian
    expect([...ram.bytes.subarray(0x400000, 0x400004)]).toEqual([0x38, 0, 0, 0x48]);
  });

  test('non-PT_LOAD and empty segments are skipped', () => {
    const ram = new FakeRam(8 << 20);
    const k = loadElfKernel(ram, makeElf([{ paddr: 0n, data: [5], type: 4 }, { paddr: 0x100n, data: [], memsz: 0 }, { paddr: 0x200n, data: [7] }]));
    expect(k.segments.map((s) => s.ra)).toEqual([0x400200]);
  });

  test('errors: magic, class, machine, type, truncation, RAM, overlaps', () => {
    const ram = new FakeRam(8 << 20);
    const ok = makeElf([{ paddr: 0n, data: [1] }]);
    const bad = (mut: (b: Uint8Array) => void): Uint8Array => { const b = ok.slice(); mut(b); return b; };
    expect(() => loadElfKernel(ram, new Uint8Array([1, 2, 3]))).toThrow(/bad magic/);
    expect(() => loadElfKernel(ram, bad((b) => { b[4] = 1; }))).toThrow(/not ELFCLASS64/);
    expect(() => loadElfKernel(ram, makeElf([{ paddr: 0n, data: [1] }], { machine: 20 }))).toThrow(/not PowerPC64/);
    expect(() => loadElfKernel(ram, makeElf([{ paddr: 0n, data: [1] }], { type: 1 }))).toThrow(/not an executable/);
    expect(() => loadElfKernel(ram, ok.subarray(0, ok.length - 1))).toThrow(/outside the file/);
    expect(() => loadElfKernel(ram, makeElf([{ paddr: 0n, data: [1], type: 4 }]))).toThrow(/no loadable/);
    expect(() => loadElfKernel(ram, makeElf([{ paddr: 0x3ff000n, data: [1], memsz: 0x2000 }]))).toThrow(/does not fit in guest RAM/);
    expect(() => loadElfKernel(ram, makeElf([{ paddr: 0n, data: [1, 2] }, { paddr: 1n, data: [3] }]))).toThrow(/segments 0 and 1 overlap/);
    expect(() => loadElfKernel(ram, ok, { reserved: [{ name: '-bios image', start: 0, end: 0x400001 }] })).toThrow(/overlaps the -bios image/);
    expect(() => loadElfKernel(ram, ok)).not.toThrow();
    expect(new ElfError('x').message).toBe('kernel ELF: x');
  });
});

describe('raw images: -bios, initrd, FDT', () => {
  test('initrd goes 64 KiB-aligned after the kernel plus 64 KiB (QEMU 7.2, measured)', () => {
    expect(initrdBase(0x400000, 0x121f0)).toBe(0x430000);
    expect(initrdBase(0x400000, 0x287c918)).toBe(0x2c90000); // the Debian vmlinux run (linux-boot.md 5.1)
    expect(initrdBase(0x400000, 0x10000)).toBe(0x420000);
  });

  test('FDT below min(RAM, 2 GiB) - 2 MiB (QEMU 7.2, measured r3)', () => {
    expect(fdtAddress(512 << 20)).toBe(0x1fe00000);
    expect(fdtAddress(1 << 30)).toBe(0x3fe00000);
    expect(fdtAddress(4 * 2 ** 30)).toBe(0x7fe00000);
  });

  test('errors: empty/oversized bios, initrd outside RAM or overlapping, FDT overlap', () => {
    const ram = new FakeRam(8 << 20);
    expect(() => loadBios(ram, new Uint8Array(0))).toThrow(/empty/);
    expect(() => loadBios(ram, new Uint8Array(0x400001))).toThrow(/exceeds the 4194304-byte firmware area/);
    expect(() => loadBios(ram, new Uint8Array(0x80))).toThrow(/before the entry point/);
    expect(loadBios(ram, new Uint8Array(0x200).fill(1))).toEqual({ name: '-bios image', start: 0, end: 0x200 });
    expect(() => loadInitrd(ram, new Uint8Array(0x10000), (8 << 20) - 0x8000, [])).toThrow(/does not fit in guest RAM/);
    expect(() => loadInitrd(ram, new Uint8Array(0x10), 0x400000, [{ name: 'kernel', start: 0x400000, end: 0x400010 }])).toThrow(/overlaps the kernel/);
    expect(() => loadFdt(ram, new Uint8Array(0x100), 0x1000, [{ name: 'kernel', start: 0, end: 0x2000 }])).toThrow(/kernel .* overlaps the device tree/);
  });
});
