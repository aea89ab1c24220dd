// ELF64 kernel loader with QEMU pseries' placement (hw/ppc/spapr.c, translate_kernel_address):
// every PT_LOAD segment goes to real address (p_paddr & 0x0fffffff) + kernel-addr (0x400000), so a
// kernel linked at 0 or at 0xc000000000000000 lands at 4 MiB and a -bios image at 0 survives.
// Both byte orders; e_entry is not used to start the CPU (the firmware, or our direct entry,
// jumps to kernel-addr as QEMU's SLOF and VOF do); it is reported translated for information.
// The size QEMU reports for the kernel (qemu,boot-kernel, the memory reservation) is the sum of
// the loaded segments' memsz (measured: one segment, filesz 0x2170, memsz 0x121f0 -> 0x121f0).

export const KERNEL_LOAD_ADDR = 0x400000;
export const EM_PPC64 = 21;
const PT_LOAD = 1;
const ET_EXEC = 2;
const ET_DYN = 3;
const ELF64_EHDR_SIZE = 64;
const ELF64_PHDR_SIZE = 56;

export interface ElfSegment {
  paddr: bigint;
  vaddr: bigint;
  offset: number;
  filesz: number;
  memsz: number;
  flags: number;
}

export interface ElfImage {
  littleEndian: boolean;
  type: number;
  entry: bigint;
  /** PT_LOAD segments with memsz > 0, in file order. */
  segments: ElfSegment[];
}

export class ElfError extends Error {
  constructor(message: string) {
    super(`kernel ELF: ${message}`);
    this.name = 'ElfError';
  }
}

const hex = (v: number | bigint): string => `0x${v.toString(16)}`;

/** Parses and validates the ELF header and program headers (no memory is touched). */
export function parseElf64(bytes: Uint8Array): ElfImage {
  if (bytes.length < 16 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError('bad magic (not an ELF file)');
  }
  if (bytes[4] !== 2) throw new ElfError(`class ${bytes[4]} is not ELFCLASS64`);
  if (bytes[5] !== 1 && bytes[5] !== 2) throw new ElfError(`unknown data encoding ${bytes[5]}`);
  if (bytes[6] !== 1) throw new ElfError(`unknown ELF version ${bytes[6]}`);
  if (bytes.length < ELF64_EHDR_SIZE) throw new ElfError(`file of ${bytes.length} bytes is shorter than the ELF header`);
  const le = bytes[5] === 1;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (o: number): number => dv.getUint16(o, le);
  const u32 = (o: number): number => dv.getUint32(o, le);
  const u64 = (o: number): bigint => dv.getBigUint64(o, le);
  const type = u16(16);
  if (type !== ET_EXEC && type !== ET_DYN) throw new ElfError(`type ${type} is not an executable (ET_EXEC/ET_DYN)`);
  const machine = u16(18);
  if (machine !== EM_PPC64) throw new ElfError(`machine ${machine} is not PowerPC64 (${EM_PPC64})`);
  const entry = u64(24);
  const phoff = u64(32);
  const phentsize = u16(54);
  const phnum = u16(56);
  if (phnum === 0) throw new ElfError('no program headers');
  if (phentsize !== ELF64_PHDR_SIZE) throw new ElfError(`program header size ${phentsize}, expected ${ELF64_PHDR_SIZE}`);
  if (phoff + BigInt(phnum * ELF64_PHDR_SIZE) > BigInt(bytes.length)) throw new ElfError('program headers outside the file');
  const segments: ElfSegment[] = [];
  for (let i = 0; i < phnum; i++) {
    const o = Number(phoff) + i * ELF64_PHDR_SIZE;
    if (u32(o) !== PT_LOAD) continue;
    const offset = u64(o + 8);
    const filesz = u64(o + 32);
    const memsz = u64(o + 40);
    if (memsz === 0n) continue;
    if (filesz > memsz) throw new ElfError(`segment ${i}: filesz ${hex(filesz)} > memsz ${hex(memsz)}`);
    if (offset + filesz > BigInt(bytes.length)) throw new ElfError(`segment ${i}: file data [${hex(offset)}, +${hex(filesz)}) outside the file`);
    if (memsz > 0x10000000n) throw new ElfError(`segment ${i}: memsz ${hex(memsz)} exceeds the 256 MiB kernel window`);
    segments.push({
      flags: u32(o + 4), offset: Number(offset), vaddr: u64(o + 16), paddr: u64(o + 24),
      filesz: Number(filesz), memsz: Number(memsz),
    });
  }
  if (segments.length === 0) throw new ElfError('no loadable (PT_LOAD) segment');
  return { littleEndian: le, type, entry, segments };
}

/** QEMU spapr's translate_kernel_address. */
export function translateKernelAddress(addr: bigint, kernelAddr = KERNEL_LOAD_ADDR): number {
  return Number(addr & 0x0fffffffn) + kernelAddr;
}

export interface PlacedSegment extends ElfSegment {
  /** Real address the segment is loaded at. */
  ra: number;
}

export interface LoadedKernel {
  /** kernel-addr: where the CPU (or firmware) enters the kernel. */
  addr: number;
  /** Sum of the segments' memsz (QEMU's kernel_size). */
  size: number;
  littleEndian: boolean;
  /** Lowest and highest (exclusive) real addresses written. */
  low: number;
  high: number;
  /** e_entry translated like the segments (informational). */
  entry: number;
  segments: PlacedSegment[];
}

/** Guest RAM as the loaders see it. */
export interface RamTarget {
  readonly ramSize: number;
  writeRam(ra: number, bytes: Uint8Array): void;
}

/** A region that must not be overwritten, for clear overlap errors. */
export interface Reserved {
  name: string;
  start: number;
  end: number;
}

/** Places the segments (validating RAM bounds, mutual overlap and `reserved` regions), then loads them. */
export function loadElfKernel(ram: RamTarget, bytes: Uint8Array, opts: { kernelAddr?: number; reserved?: Reserved[] } = {}): LoadedKernel {
  const img = parseElf64(bytes);
  const kernelAddr = opts.kernelAddr ?? KERNEL_LOAD_ADDR;
  const placed: PlacedSegment[] = img.segments.map((s) => ({ ...s, ra: translateKernelAddress(s.paddr, kernelAddr) }));
  for (const [i, s] of placed.entries()) {
    if (s.ra + s.memsz > ram.ramSize) {
      throw new ElfError(`segment ${i} [${hex(s.ra)}, ${hex(s.ra + s.memsz)}) does not fit in guest RAM (${hex(ram.ramSize)} bytes)`);
    }
    for (const [j, t] of placed.entries()) {
      if (j < i && s.ra < t.ra + t.memsz && t.ra < s.ra + s.memsz) throw new ElfError(`segments ${j} and ${i} overlap at ${hex(Math.max(s.ra, t.ra))}`);
    }
    for (const r of opts.reserved ?? []) {
      if (s.ra < r.end && r.start < s.ra + s.memsz) {
        throw new ElfError(`segment ${i} [${hex(s.ra)}, ${hex(s.ra + s.memsz)}) overlaps the ${r.name} [${hex(r.start)}, ${hex(r.end)})`);
      }
    }
  }
  for (const s of placed) {
    ram.writeRam(s.ra, bytes.subarray(s.offset, s.offset + s.filesz));
    if (s.memsz > s.filesz) ram.writeRam(s.ra + s.filesz, new Uint8Array(s.memsz - s.filesz));
  }
  return {
    addr: kernelAddr,
    size: placed.reduce((n, s) => n + s.memsz, 0),
    littleEndian: img.littleEndian,
    low: Math.min(...placed.map((s) => s.ra)),
    high: Math.max(...placed.map((s) => s.ra + s.memsz)),
    entry: translateKernelAddress(img.entry, kernelAddr),
    segments: placed,
  };
}
