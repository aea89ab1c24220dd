// The "run" of the pseries-wasm command: opens the netdevs (with their filter-dumps), builds the
// machine from the config, wires each NIC to its netdev, starts the QMP monitors, and runs the CPU
// until the guest powers off (or QMP quit). Returns the exit status; failures are thrown as
// one-line messages (RunError, or the backend's own error).
import { readFileSync, writeFileSync } from 'node:fs';
import type { MachineConfig } from '../config/machine-config.js';
import { createPseries, type PseriesMachine } from '../machine/pseries.js';
import { attachInput, fileOutput, streamOutput } from '../console/console-backends.js';
import type { ConsoleOutput } from '../console/vty.js';
import { openNetdevs } from '../net/create-backend.js';
import { vlanOptions } from '../net/attach-nics.js';
import { MachineQmpTarget, SliceRunner, startQmpServers, type QmpServer } from '../qmp/index.js';

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
  const servers: QmpServer[] = [];
  const closeAll = async () => {
    for (const s of servers) await s.close();
    for (const c of closers) c();
    await nd.closeAll();
  };
  let pseries: PseriesMachine;
  try {
    pseries = createPseries({
      ramSize: cfg.ramSize, bios, kernel, initrd, append: cfg.append, console,
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

    // The CPU runs in slices on the event loop so that QMP and the backends stay responsive.
    return await new Promise<number>((resolve, reject) => {
      let target: MachineQmpTarget | undefined;
      const runner = new SliceRunner(pseries, {
        onStop: (reason, error) => {
          if (reason === 'error') return reject(error);
          target?.guestShutdown();
          // QEMU exits when the guest powers off (and, with -no-reboot, when it reboots).
          if (reason === 'power-off' || reason === 'reboot') resolve(pseries.exitStatus ?? 0);
          else if (reason === 'break') resolve(1);
        },
      });
      target = new MachineQmpTarget({
        reset: () => (pseries as { reset?: () => void }).reset?.(),
        vlans: pseries.vlans,
        vlanIds: cfg.nics.map((n) => n.id),
        runner,
        startPaused: cfg.startPaused,
      });
      startQmpServers(cfg.qmp, { target }).then((started) => {
        servers.push(...started);
        for (const s of started) s.on('quit', () => { runner.powerOff(); resolve(0); });
        if (!cfg.startPaused) runner.resume();
      }, (e: Error) => reject(new RunError(`-qmp: ${e.message}`)));
    });
  } finally {
    await closeAll();
  }
}
