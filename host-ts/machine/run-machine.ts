// Runs the machine a resolved command line describes, to the end, like qemu-system-ppc64:
// `-machine dumpdtb=FILE` writes the device tree and exits 0; otherwise the guest runs until RTAS
// power-off (exit 0), system-reboot with -no-reboot (exit 0), QMP quit or SIGINT/SIGTERM (exit 0),
// or a run-loop failure (exit 1). A thin layer over the embedding API (host-ts/vm/vm.ts).
import { writeFileSync } from 'node:fs';
import type { MachineConfig } from '../config/machine-config.js';
import type { BootIo } from './boot-config.js';
import { createVm } from '../vm/vm.js';

export interface RunIo extends BootIo {
  stderr?: (s: string) => void;
  /** Stop on SIGINT/SIGTERM like QEMU (default: only when running on the process's own stdio). */
  signals?: boolean;
}

/** Boots and runs `cfg`; resolves to the process exit status. */
export async function runMachine(cfg: MachineConfig, io: RunIo = {}, prog = 'pseries-wasm'): Promise<number> {
  const stderr = io.stderr ?? ((s: string) => process.stderr.write(s));
  let vm;
  try {
    vm = await createVm(cfg, {
      stdout: io.stdout ?? process.stdout,
      stdin: io.stdin ?? process.stdin,
      readFile: io.readFile,
      idle: 'realtime',
    });
  } catch (e) {
    stderr(`${prog}: ${(e as Error).message}\n`);
    return 1;
  }
  if (cfg.dumpDtb !== undefined) {
    writeFileSync(cfg.dumpDtb, vm.pseries.fdt);
    stderr(`${prog}: info: dtb dumped to ${cfg.dumpDtb}. Exiting.\n`);
    await vm.stop();
    return 0;
  }
  const signals = io.signals ?? (io.stdout === undefined);
  const onSignal = (sig: NodeJS.Signals) => {
    stderr(`${prog}: terminating on signal ${sig === 'SIGINT' ? 2 : 15}\n`);
    void vm.stop();
  };
  if (signals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  vm.on('unimplemented', (list: { mnemonic: string; count: number }[]) => {
    if (cfg.log.items.includes('unimp')) stderr(`${prog}: unimplemented instructions: ${list.map((e) => `${e.mnemonic} x${e.count}`).join(', ')}\n`);
  });
  if (!cfg.startPaused) vm.start();
  const exit = await vm.wait();
  if (signals) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (exit.error) {
    stderr(`${prog}: the guest stopped: ${exit.error.message}\n`);
    const report = vm.pseries.runner.unimplementedReport();
    if (report) stderr(`${prog}: unimplemented instructions met:\n${report}\n`);
  }
  return exit.exitStatus;
}
