// Raw images QEMU pseries places besides the kernel: the -bios firmware at real 0 (at most
// FW_MAX_SIZE, like QEMU's LPAR firmware slot), the initrd just after the kernel, and the FDT.
// Placement rules measured on QEMU 7.2 (guests/README.md, test/boot/data/qemu-kernel.dts):
// - initrd base = (kernel-addr + kernel size + 0x1ffff) & ~0xffff (kernel 0x121f0 bytes -> 0x430000);
// - FDT for a -bios guest at min(RAM, 2 GiB) - 2 MiB (r3 = 0x1fe00000 with 512 MiB).
import { ElfError, type RamTarget, type Reserved } from './elf-loader.js';

export const FW_MAX_SIZE = 0x400000;
/** Room QEMU keeps for the FDT below its address limit. */
export const FDT_MAX_SIZE = 0x200000;
export const FDT_MAX_ADDR = 0x80000000;

export class BootError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BootError';
  }
}

const hex = (v: number): string => `0x${v.toString(16)}`;

/** Loads a raw firmware image at real address 0. */
export function loadBios(ram: RamTarget, image: Uint8Array): Reserved {
  if (image.length === 0) throw new BootError('-bios image is empty');
  if (image.length > FW_MAX_SIZE) throw new BootError(`-bios image of ${image.length} bytes exceeds the ${FW_MAX_SIZE}-byte firmware area`);
  if (image.length > ram.ramSize) throw new BootError(`-bios image of ${image.length} bytes does not fit in guest RAM`);
  if (image.length <= 0x100) throw new BootError(`-bios image of ${image.length} bytes ends before the entry point 0x100`);
  ram.writeRam(0, image);
  return { name: '-bios image', start: 0, end: image.length };
}

/** Where QEMU puts the initrd after a kernel of `kernelSize` bytes at `kernelAddr`. */
export function initrdBase(kernelAddr: number, kernelSize: number): number {
  return Math.floor((kernelAddr + kernelSize + 0x1ffff) / 0x10000) * 0x10000;
}

export function loadInitrd(ram: RamTarget, image: Uint8Array, base: number, reserved: Reserved[]): Reserved {
  const end = base + image.length;
  if (end > ram.ramSize) throw new BootError(`initrd of ${image.length} bytes at ${hex(base)} does not fit in guest RAM (${hex(ram.ramSize)} bytes)`);
  for (const r of reserved) {
    if (base < r.end && r.start < end) throw new BootError(`initrd [${hex(base)}, ${hex(end)}) overlaps the ${r.name}`);
  }
  ram.writeRam(base, image);
  return { name: 'initrd', start: base, end };
}

/** Real address of the FDT handed to a -bios guest in r3. */
export function fdtAddress(ramSize: number): number {
  return Math.min(ramSize, FDT_MAX_ADDR) - FDT_MAX_SIZE;
}

export function loadFdt(ram: RamTarget, blob: Uint8Array, at: number, reserved: Reserved[]): Reserved {
  if (blob.length > FDT_MAX_SIZE) throw new BootError(`device tree of ${blob.length} bytes exceeds ${FDT_MAX_SIZE}`);
  if (at < 0 || at + blob.length > ram.ramSize) throw new BootError(`device tree at ${hex(at)} does not fit in guest RAM`);
  for (const r of reserved) {
    if (at < r.end && r.start < at + blob.length) throw new BootError(`the ${r.name} [${hex(r.start)}, ${hex(r.end)}) overlaps the device tree at ${hex(at)}`);
  }
  ram.writeRam(at, blob);
  return { name: 'device tree', start: at, end: at + blob.length };
}

export { ElfError };
