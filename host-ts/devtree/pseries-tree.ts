// The device tree of the pseries machine as QEMU 7.2 builds it (hw/ppc/spapr.c spapr_build_fdt,
// measured with `-M pseries,dumpdtb=F`: test/boot/data/qemu-*.dts). Properties are listed in the
// order they appear in QEMU's blob so `dtc -I dtb -O dts` output lines up with QEMU's.
// Intentional differences (the test lists them too): no PCI host bridge (pci@800000020000000 and
// the root ibm,drc-* of its slots), no nvram@ VIO device, /rtas names only the services we
// implement (with QEMU's token numbers), rng-seed is our own random bytes.
import { randomBytes } from 'node:crypto';
import { DtNode } from './dt-node.js';
import type { MemReserve } from './fdt-writer.js';

/** QEMU 7.2's POWER9 (v2.0): cpu-version in the tree and mfpvr in the guest (measured, guests/hello). */
export const POWER9_PVR = 0x004e1200;
export const TIMEBASE_FREQ = 512_000_000;
export const CPU_CLOCK_FREQ = 1_000_000_000;
/** phandle QEMU gives the XICS node (PHANDLE_INTC). */
export const PHANDLE_INTC = 0x1111;

export interface KernelInfo {
  /** Real address the image was loaded at (QEMU kernel-addr, 0x400000). */
  addr: number;
  /** Bytes QEMU reports as the kernel size (sum of the loaded segments' memsz). */
  size: number;
  littleEndian: boolean;
}

export interface PseriesTreeConfig {
  ramSize: number;
  /** /vdevice, from VioBus.dtNode(). */
  vdevice: DtNode;
  /** Path of the console node (stdout-path), e.g. /vdevice/vty@71000000; absent = no console. */
  stdoutPath?: string;
  /** RTAS services: name -> token. */
  rtasTokens: ReadonlyMap<string, number>;
  kernel?: KernelInfo;
  initrd?: { start: number; end: number };
  bootargs?: string;
  /** 32 bytes for /chosen/rng-seed (default: random). */
  rngSeed?: Uint8Array;
}

/** HPT size QEMU advertises (ibm,pft-size): log2 of RAM rounded up to a power of two, minus 7, at least 18. */
export function hptShiftForRam(ramSize: number): number {
  let shift = 0;
  while (2 ** shift < ramSize) shift++;
  return Math.min(Math.max(shift - 7, 18), 46);
}

const hi32 = (v: number): number => Math.floor(v / 2 ** 32);
const lo32 = (v: number): number => v >>> 0;

function chosen(cfg: PseriesTreeConfig): DtNode {
  const n = new DtNode('chosen')
    .setBytes('ibm,architecture-vec-5', [0, 0])
    .setBytes('rng-seed', cfg.rngSeed ?? randomBytes(32))
    .setCells('ibm,arch-vec-5-platform-support', 0x178018c0, 0x19001a40)
    .setCells('linux,pci-probe-only', 0);
  if (cfg.stdoutPath) n.setString('stdout-path', cfg.stdoutPath).setString('linux,stdout-path', cfg.stdoutPath);
  n.setCells('qemu,graphic-depth', 32).setCells('qemu,graphic-height', 600).setCells('qemu,graphic-width', 800);
  if (cfg.kernel) {
    if (cfg.kernel.littleEndian) n.setEmpty('qemu,boot-kernel-le');
    n.setU64s('qemu,boot-kernel', cfg.kernel.addr, cfg.kernel.size);
  }
  if (cfg.initrd) {
    n.setCells('linux,initrd-end', cfg.initrd.end).setCells('linux,initrd-start', cfg.initrd.start);
  }
  if (cfg.bootargs) n.setString('bootargs', cfg.bootargs);
  return n;
}

function rtas(tokens: ReadonlyMap<string, number>): DtNode {
  const n = new DtNode('rtas');
  for (const [name, token] of [...tokens].sort((a, b) => b[1] - a[1])) n.setCells(name, token);
  return n
    .setCells('ibm,lrdr-capacity', 0, 0, 0, 0x10000000, 1)
    .setEmpty('ibm,extended-os-term')
    .setEmpty('ibm,change-msix-capable')
    .setCells('rtas-event-scan-rate', 1)
    .setCells('rtas-error-log-max', 0x800)
    .setCells('rtas-size', 0x82c) // QEMU: 20-byte blob + the error log
    .setCells('ibm,max-associativity-domains', 4, 0, 0, 0, 1)
    .setCells('ibm,associativity-reference-points', 4, 4, 2)
    .setString('qemu,hypertas-functions', 'hcall-memop1')
    .setString('ibm,hypertas-functions', 'hcall-pft', 'hcall-term', 'hcall-dabr', 'hcall-interrupt', 'hcall-tce',
      'hcall-vio', 'hcall-splpar', 'hcall-join', 'hcall-bulk', 'hcall-set-mode', 'hcall-sprg0', 'hcall-copy',
      'hcall-debug', 'hcall-vphn', 'hcall-multi-tce', 'hcall-hpt-resize', 'hcall-watchdog');
}

function eventSources(): DtNode {
  const n = new DtNode('event-sources')
    .setCells('interrupt-ranges', 0x1000, 1, 0x1001, 1)
    .setCells('#interrupt-cells', 2)
    .setEmpty('interrupt-controller');
  n.add(new DtNode('hot-plug-events').setCells('interrupts', 0x1001, 0));
  n.add(new DtNode('epow-events').setCells('interrupts', 0x1000, 0));
  return n;
}

function cpus(ramSize: number): DtNode {
  // ibm,drc-types / -names: a count cell then NUL-terminated strings (one DRC: CPU 0 hotplug)
  const enc = (s: string): number[] => [...new TextEncoder().encode(s + '\0')];
  const n = new DtNode('cpus')
    .setBytes('ibm,drc-types', [0, 0, 0, 1, ...enc('CPU')])
    .setBytes('ibm,drc-names', [0, 0, 0, 1, ...enc('CPU 0')])
    .setCells('ibm,drc-power-domains', 1, 0xffffffff)
    .setCells('ibm,drc-indexes', 1, 0x10000000)
    .setCells('#size-cells', 0)
    .setCells('#address-cells', 1);
  n.add(new DtNode('PowerPC,POWER9@0')
    .setCells('ibm,dec-bits', 56)
    .setCells('ibm,processor-radix-AP-encodings', 0x0c, 0xa0000010, 0x20000015, 0x4000001e)
    .setCells('ibm,ppc-interrupt-gserver#s', 0, 0)
    .setCells('ibm,ppc-interrupt-server#s', 0)
    .setCells('ibm,pft-size', 0, hptShiftForRam(ramSize))
    .setCells('ibm,chip-id', 0)
    .setCells('ibm,pa-features', 0x4200f63f, 0xc7c080f0, 0x80000000, 0, 0x8000, 0x80008000, 0x8000, 0x80008000,
      0x80008000, 0xc0008000, 0x80008000, 0x80008000, 0x80008000, 0x80008000, 0x80008000, 0x80008000, 0x80000000)
    .setCells('ibm,segment-page-sizes', 0x0c, 0, 1, 0x0c, 0, 0x10, 0x110, 1, 0x10, 1)
    .setCells('ibm,dfp', 1)
    .setCells('ibm,vmx', 2)
    .setCells('ibm,processor-segment-sizes', 0x1c, 0x28, 0xffffffff, 0xffffffff)
    .setCells('ibm,spurr', 1)
    .setCells('ibm,purr', 1)
    .setEmpty('64-bit')
    .setString('status', 'okay')
    .setCells('ibm,slb-size', 32)
    .setCells('slb-size', 32)
    .setCells('clock-frequency', CPU_CLOCK_FREQ)
    .setCells('timebase-frequency', TIMEBASE_FREQ)
    .setCells('i-cache-size', 0x8000)
    .setCells('d-cache-size', 0x8000)
    .setCells('i-cache-line-size', 0x80)
    .setCells('i-cache-block-size', 0x80)
    .setCells('d-cache-line-size', 0x80)
    .setCells('d-cache-block-size', 0x80)
    .setCells('cpu-version', POWER9_PVR)
    .setString('device_type', 'cpu')
    .setCells('reg', 0)
    .setCells('ibm,my-drc-index', 0x10000000));
  return n;
}

function interruptController(): DtNode {
  return new DtNode('interrupt-controller')
    .setCells('phandle', PHANDLE_INTC)
    .setCells('linux,phandle', PHANDLE_INTC)
    .setCells('#interrupt-cells', 2)
    .setCells('ibm,interrupt-server-ranges', 0, 1)
    .setEmpty('interrupt-controller')
    .setString('compatible', 'IBM,ppc-xicp')
    .setString('device_type', 'PowerPC-External-Interrupt-Presentation');
}

/** The whole tree (root node named ""). */
export function buildPseriesTree(cfg: PseriesTreeConfig): DtNode {
  const root = new DtNode('')
    .setCells('#size-cells', 2)
    .setCells('#address-cells', 2)
    .setString('vm,uuid', '00000000-0000-0000-0000-000000000000')
    .setString('compatible', 'qemu,pseries')
    .setString('model', 'IBM pSeries (emulated by qemu)')
    .setString('device_type', 'chrp');
  root.add(new DtNode('ibm,persistent-memory')
    .setString('device_type', 'ibm,persistent-memory')
    .setCells('#size-cells', 0)
    .setCells('#address-cells', 1));
  root.add(chosen(cfg));
  root.add(rtas(cfg.rtasTokens));
  root.add(eventSources());
  root.add(cpus(cfg.ramSize));
  root.add(cfg.vdevice);
  root.add(new DtNode('memory@0')
    .setCells('ibm,associativity', 4, 0, 0, 0, 0)
    .setCells('reg', 0, 0, hi32(cfg.ramSize), lo32(cfg.ramSize))
    .setString('device_type', 'memory'));
  root.add(interruptController());
  return root;
}

/** Memory reservations QEMU puts in the FDT header: the kernel image, then the initrd. */
export function pseriesMemReserve(cfg: Pick<PseriesTreeConfig, 'kernel' | 'initrd'>): MemReserve[] {
  const r: MemReserve[] = [];
  if (cfg.kernel && cfg.kernel.size) r.push({ address: BigInt(cfg.kernel.addr), size: BigInt(cfg.kernel.size) });
  if (cfg.initrd && cfg.initrd.end > cfg.initrd.start) {
    r.push({ address: BigInt(cfg.initrd.start), size: BigInt(cfg.initrd.end - cfg.initrd.start) });
  }
  return r;
}
