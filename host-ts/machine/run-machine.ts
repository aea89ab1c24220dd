// Runs the machine a resolved command line describes, to the end, like qemu-system-ppc64:
// `-machine dumpdtb=FILE` writes the device tree and exits 0; otherwise the guest runs until RTAS
// power-off (exit 0) or, with -no-reboot, system-reboot (exit 0). For the CLI's main().
import { writeFileSync } from 'node:fs';
import type { MachineConfig } from '../config/machine-config.js';
import { bootFromConfig, type BootIo } from './boot-config.js';

export interface RunIo extends BootIo {
  stderr?: (s: string) => void;
}

/** Boots and runs `cfg`; resolves to the process exit status. */
export async function runMachine(cfg: MachineConfig, io: RunIo = {}, prog = 'pseries-wasm'): Promise<number> {
  const stderr = io.stderr ?? ((s: string) => process.stderr.write(s));
  let booted;
  try {
    booted = bootFromConfig(cfg, io);
  } catch (e) {
    stderr(`${prog}: ${(e as Error).message}\n`);
    return 1;
  }
  const { pseries, close } = booted;
  try {
    if (cfg.dumpDtb !== undefined) {
      writeFileSync(cfg.dumpDtb, pseries.fdt);
      stderr(`${prog}: info: dtb dumped to ${cfg.dumpDtb}. Exiting.\n`);
      return 0;
    }
    if (!pseries.hasCpu) {
      stderr(`${prog}: this build has no CPU interpreter yet\n`);
      return 1;
    }
    const r = await pseries.runAsync();
    if (r.reason === 'power-off' || r.reason === 'reboot') return pseries.exitStatus ?? 0;
    stderr(`${prog}: the guest stopped (${r.reason}) with nothing left to wake it\n`);
    return 1;
  } finally {
    close();
  }
}
