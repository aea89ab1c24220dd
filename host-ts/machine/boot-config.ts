// From a resolved MachineConfig (the qemu-system-ppc64 command line) to a booted pseries machine:
// reads -bios/-kernel/-initrd, turns chardevs behind the vtys into console outputs and inputs,
// the NICs into spapr-vlan options (network backends are attached by the caller to p.vlans[i]).
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { MachineConfig, ChardevConfig } from '../config/machine-config.js';
import { createPseries, type PseriesMachine, type PseriesBootOptions } from './pseries.js';
import { attachInput, fileOutput, streamOutput } from '../console/console-backends.js';
import type { ConsoleOutput } from '../console/vty.js';
import { BootError } from '../boot/boot-images.js';
import { vlanOptions } from '../net/attach-nics.js';

export interface BootIo {
  stdout?: Writable;
  stdin?: Readable;
  readFile?: (path: string) => Uint8Array;
}

export interface BootedPseries {
  pseries: PseriesMachine;
  /** Stops reading stdin and closes console files. */
  close(): void;
}

function read(io: BootIo, what: string, path: string): Uint8Array {
  try {
    return (io.readFile ?? ((p: string) => new Uint8Array(readFileSync(p))))(path);
  } catch (e) {
    throw new BootError(`could not load ${what} '${path}': ${(e as Error).message}`);
  }
}

/** Creates the machine described by `cfg`; stdio chardevs use io.stdout / io.stdin. */
export function bootFromConfig(cfg: MachineConfig, io: BootIo = {}): BootedPseries {
  const chardevs = new Map<string, ChardevConfig>(cfg.chardevs.map((c) => [c.id, c]));
  const closers: (() => void)[] = [];
  const stdinVtys: number[] = [];
  const vtys = cfg.vtys.map((v, i) => {
    const c = chardevs.get(v.chardev);
    if (!c) throw new BootError(`chardev '${v.chardev}' not found`);
    let output: ConsoleOutput = () => {};
    if (c.backend === 'stdio') {
      output = streamOutput(io.stdout ?? process.stdout);
      stdinVtys.push(i);
    } else if (c.backend === 'file') {
      const f = fileOutput(c.path, c.append);
      closers.push(() => f.close());
      output = f;
    }
    return { output, reg: v.reg };
  });
  const opts: PseriesBootOptions = {
    ramSize: cfg.ramSize,
    bios: cfg.bios !== undefined ? read(io, 'firmware', cfg.bios) : undefined,
    kernel: cfg.kernel !== undefined ? read(io, 'kernel', cfg.kernel) : undefined,
    initrd: cfg.initrd !== undefined ? read(io, 'initrd', cfg.initrd) : undefined,
    append: cfg.append,
    vtys,
    vlans: cfg.nics.map(vlanOptions),
    noReboot: cfg.noReboot,
  };
  let pseries: PseriesMachine;
  try {
    pseries = createPseries(opts);
  } catch (e) {
    for (const c of closers) c();
    throw e;
  }
  // QEMU connects stdin to the first stdio chardev's device.
  if (stdinVtys.length) closers.push(attachInput(pseries.vtys[stdinVtys[0]], io.stdin ?? process.stdin));
  return { pseries, close: () => { for (const c of closers) c(); } };
}
