// The "run" of the pseries-wasm command: opens the netdevs (with their filter-dumps), builds the
// machine from the config (bootFromConfig), wires each NIC to its netdev, starts the QMP monitors, and runs the CPU
// until the guest powers off (or QMP quit). Returns the exit status; failures are thrown as
// one-line messages (RunError, or the backend's own error).
import { writeFileSync } from 'node:fs';
import type { MachineConfig } from '../config/machine-config.js';
import { bootFromConfig, type BootedPseries } from '../machine/boot-config.js';
import { openNetdevs } from '../net/create-backend.js';
import { MachineQmpTarget, SliceRunner, startQmpServers, type QmpServer } from '../qmp/index.js';
import { unimplementedReport } from '../cpu/unimplemented-report.js';

export class RunError extends Error {}

export interface RunIo {
  /** One-line warnings and backend logs (stderr). */
  warn: (msg: string) => void;
}

export async function runMachine(cfg: MachineConfig, io: RunIo): Promise<number> {
  if (cfg.incoming !== undefined) throw new RunError('-incoming: incoming migration is not available from the command line yet');
  if (cfg.log.items.length > 0) io.warn(`-d ${cfg.log.items.join(',')}: no log items are implemented in this build; ignored`);
  const nd = await openNetdevs(cfg.netdevs, cfg.filterDumps, { log: io.warn });
  const servers: QmpServer[] = [];
  let booted: BootedPseries | undefined;
  const closeAll = async () => {
    for (const s of servers) await s.close();
    booted?.close();
    await nd.closeAll();
  };
  try {
    // Images, consoles (vtys on their chardevs, stdin on the first stdio one) and the NICs.
    booted = bootFromConfig(cfg);
  } catch (e) {
    await closeAll();
    throw new RunError((e as Error).message);
  }
  const { pseries } = booted;
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
        reset: () => pseries.reset(),
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
    // Never silent (issue 3): instructions the CPU does not implement, by mnemonic.
    const unimpl = unimplementedReport(pseries.machine);
    if (unimpl) io.warn(`the guest met instructions or SPRs this CPU does not implement:\n${unimpl}`);
    await closeAll();
  }
}
