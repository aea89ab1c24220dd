// The "run" of the pseries-wasm command, a thin layer over the embedding API (host-ts/vm/vm.ts):
// config -> createVm (netdevs with their filter-dumps, NICs wired, vtys on their chardevs, QMP
// monitors, -metrics) -> start unless -S -> wait. Ends like qemu-system-ppc64: guest power-off
// (or reboot with -no-reboot), QMP quit, SIGINT/SIGTERM: exit 0; a run-loop failure: exit 1.
// Failures to start are thrown as one-line messages (VmError and subclasses).
import { writeFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { MachineConfig } from '../config/machine-config.js';
import { createVm } from '../vm/vm.js';

export interface RunIo {
  /** One-line warnings and backend logs (stderr). */
  warn: (msg: string) => void;
  /** Where -serial stdio goes (default: the process's stdio). */
  stdout?: Writable;
  stdin?: Readable;
  /** Stop on SIGINT/SIGTERM like QEMU (default: true). */
  signals?: boolean;
  /** Plain one-line notices (QEMU's "terminating on signal N"); default: as warnings. */
  notice?: (msg: string) => void;
}

export async function runMachine(cfg: MachineConfig, io: RunIo): Promise<number> {
  if (cfg.log.items.length > 0) io.warn(`-d ${cfg.log.items.join(',')}: no log items are implemented in this build; ignored`);
  const vm = await createVm(cfg, {
    stdout: io.stdout ?? process.stdout,
    stdin: io.stdin ?? process.stdin,
    idle: 'realtime',
    warn: io.warn,
  });
  if (cfg.dumpDtb !== undefined) {
    // QEMU's dumpdtb writes the tree the guest would get and exits.
    writeFileSync(cfg.dumpDtb, vm.pseries.fdt);
    await vm.stop();
    return 0;
  }
  const signals = io.signals ?? true;
  const onSignal = (sig: NodeJS.Signals) => {
    (io.notice ?? io.warn)(`terminating on signal ${sig === 'SIGINT' ? 2 : 15}`);
    void vm.stop({ signal: true });
  };
  if (signals) {
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  }
  if (!cfg.startPaused) vm.start(); // with -incoming: once the state is loaded
  const exit = await vm.wait();
  if (signals) {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (exit.error && exit.reason === 'quit') throw exit.error; // the incoming state could not be loaded
  if (exit.error) io.warn(`the guest stopped: ${exit.error.message}`);
  // Never silent (issue 3): instructions the CPU does not implement, by mnemonic.
  const report = vm.pseries.runner.unimplementedReport();
  if (report) io.warn(`the guest met instructions or SPRs this CPU does not implement:\n${report}`);
  return exit.exitStatus;
}
