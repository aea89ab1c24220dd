// The "run" of the pseries-wasm command: opens the netdevs (with their filter-dumps), builds the
// machine from the config, wires each NIC to its netdev, and runs it under host-ts/qmp's
// runControlled (QMP monitors, -S, -metrics) until the guest powers off, QMP quit or a signal.
// Returns the exit status; failures are thrown as one-line messages (RunError, or the backend's).
import { readFileSync, writeFileSync } from 'node:fs';
import type { MachineConfig } from '../config/machine-config.js';
import { createPseries, type PseriesMachine } from '../machine/pseries.js';
import { attachInput, fileOutput, streamOutput } from '../console/console-backends.js';
import type { ConsoleOutput } from '../console/vty.js';
import { openNetdevs } from '../net/create-backend.js';
import { vlanOptions } from '../net/attach-nics.js';
import { runControlled } from '../qmp/index.js';

export class RunError extends Error {}

export interface RunIo {
  /** One-line warnings and backend logs (stderr). */
  warn: (msg: string) => void;
}

function readImage(what: string, path: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new RunError(`could not load ${what} '${path}': ${(e as Error).message}`);
  }
}

export async function runMachine(cfg: MachineConfig, io: RunIo): Promise<number> {
  if (cfg.incoming !== undefined) throw new RunError('-incoming: incoming migration is not available from the command line yet');
  const bios = cfg.bios !== undefined ? readImage('firmware', cfg.bios) : undefined;
  const kernel = cfg.kernel !== undefined ? readImage('kernel', cfg.kernel) : undefined;
  const initrd = cfg.initrd !== undefined ? readImage('initrd', cfg.initrd) : undefined;

  // The console: the first vty's chardev (QEMU's first serial).
  const closers: (() => void)[] = [];
  let console: ConsoleOutput | undefined;
  let stdin = false;
  const vty = cfg.vtys[0];
  if (cfg.vtys.length > 1) io.warn('only the first console (vty) is connected in this build');
  const chardev = vty && cfg.chardevs.find((c) => c.id === vty.chardev);
  if (chardev?.backend === 'stdio') {
    console = streamOutput(process.stdout);
    stdin = true;
  } else if (chardev?.backend === 'file') {
    const f = fileOutput(chardev.path, chardev.append);
    closers.push(() => f.close());
    console = f;
  }

  const nd = await openNetdevs(cfg.netdevs, cfg.filterDumps, { log: io.warn });
  const closeAll = async () => {
    for (const c of closers) c();
    await nd.closeAll();
  };
  let pseries: PseriesMachine;
  try {
    pseries = createPseries({
      ramSize: cfg.ramSize, bios, kernel, initrd, append: cfg.append, console, noReboot: cfg.noReboot,
      vlans: cfg.nics.map(vlanOptions),
    });
  } catch (e) {
    await closeAll();
    throw new RunError((e as Error).message);
  }
  try {
    cfg.nics.forEach((nic, i) => {
      if (nic.netdev !== undefined) pseries.vlans[i].attachBackend(nd.forNic.get(nic.netdev)!);
      else io.warn(`nic l-lan@${pseries.vlans[i].reg.toString(16)} has no peer`);
    });
    for (const id of nd.backends.keys()) {
      if (!cfg.nics.some((n) => n.netdev === id)) io.warn(`netdev ${id} has no peer`);
    }
    if (cfg.dumpDtb !== undefined) {
      // QEMU's dumpdtb writes the tree the guest would get and exits.
      writeFileSync(cfg.dumpDtb, pseries.fdt);
      return 0;
    }
    if (!pseries.hasCpu) throw new RunError('this build has no CPU (the core exports no run): nothing to run');
    if (stdin) closers.push(attachInput(pseries, process.stdin));

    // The CPU runs in slices on the event loop so that QMP, metrics and the backends stay responsive.
    let run;
    try {
      run = await runControlled(pseries, cfg);
    } catch (e) {
      throw new RunError((e as Error).message);
    }
    // SIGINT/SIGTERM end the run like QEMU: SHUTDOWN (host-signal) to the QMP clients, exit 0.
    const onSignal = () => run.hostSignal();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const r = await run.done.finally(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
    if (r.error) throw r.error;
    // QEMU exits when the guest powers off (or reboots with -no-reboot), on QMP quit and on signals.
    if (r.end === 'guest-panicked') return 1;
    return r.end === 'host-qmp-quit' || r.end === 'host-signal' ? 0 : pseries.exitStatus ?? 0;
  } finally {
    await closeAll();
  }
}
