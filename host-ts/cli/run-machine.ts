// The "run" of the pseries-wasm command: opens the netdevs (with their filter-dumps), builds the
// machine from the config (bootFromConfig), wires each NIC to its netdev, and runs it under
// host-ts/qmp's runControlled (QMP monitors, -S, -metrics) until the guest powers off, QMP quit or
// a signal. Returns the exit status; failures are thrown as one-line messages (RunError, or the
// backend's own error).
import { writeFileSync } from 'node:fs';
import type { MachineConfig } from '../config/machine-config.js';
import { bootFromConfig, type BootedPseries } from '../machine/boot-config.js';
import { openNetdevs } from '../net/create-backend.js';
import { runControlled } from '../qmp/index.js';
import { unimplementedReport } from '../cpu/unimplemented-report.js';
import { incoming, parseMigrationUri } from '../migration/index.js';

export class RunError extends Error {}

export interface RunIo {
  /** One-line warnings and backend logs (stderr). */
  warn: (msg: string) => void;
}

export async function runMachine(cfg: MachineConfig, io: RunIo): Promise<number> {
  if (cfg.incoming !== undefined) {
    // Checked before anything opens. defer waits for QMP migrate-incoming, so it needs a monitor.
    let kind: string;
    try {
      kind = parseMigrationUri(cfg.incoming).kind;
    } catch (e) {
      throw new RunError(`-incoming: ${(e as Error).message}`);
    }
    if (kind === 'defer' && cfg.qmp.length === 0) throw new RunError('-incoming defer: needs a QMP monitor (-qmp) for migrate-incoming');
  }
  if (cfg.log.items.length > 0) io.warn(`-d ${cfg.log.items.join(',')}: no log items are implemented in this build; ignored`);
  const nd = await openNetdevs(cfg.netdevs, cfg.filterDumps, { log: io.warn });
  let booted: BootedPseries | undefined;
  const closeAll = async () => {
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

    // The CPU runs in slices on the event loop so that QMP, metrics and the backends stay responsive.
    // -incoming URI listens now (defer: on QMP migrate-incoming); the guest waits for the state.
    const inc = cfg.incoming !== undefined ? incoming(pseries.machine, cfg.incoming) : undefined;
    let run;
    try {
      run = await runControlled(pseries, { ...cfg, startPaused: cfg.startPaused || inc !== undefined }, {
        migrateIncoming: (uri) => {
          // QEMU's refusals: no -incoming at all, or an incoming migration already under way.
          if (!inc) throw new Error("'-incoming' was not specified on the command line");
          if (inc.status().status !== 'none') throw new Error('The incoming migration has already been started');
          inc.start(uri);
        },
      });
    } catch (e) {
      inc?.close();
      throw new RunError((e as Error).message);
    }
    // The whole state is validated before anything is written; then the guest runs unless -S.
    let loadError: RunError | undefined;
    if (inc) run.target.runState.incomingStarted();
    void inc?.done.then((st) => {
      if (st.status === 'completed') {
        run.target.runState.incomingCompleted(!cfg.startPaused);
      } else {
        loadError = new RunError(`load of migration failed: ${st.errorDesc}`);
        run.quit();
      }
    });
    // SIGINT/SIGTERM end the run like QEMU: SHUTDOWN (host-signal) to the QMP clients, exit 0.
    const onSignal = () => run.hostSignal();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const r = await run.done.finally(() => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    });
    inc?.close(); // quit while still waiting for the state: stop listening
    if (loadError) throw loadError;
    if (r.error) throw r.error;
    // QEMU exits when the guest powers off (or reboots with -no-reboot), on QMP quit and on signals.
    if (r.end === 'guest-panicked') return 1;
    return r.end === 'host-qmp-quit' || r.end === 'host-signal' ? 0 : pseries.exitStatus ?? 0;
  } finally {
    // Never silent (issue 3): instructions the CPU does not implement, by mnemonic.
    const unimpl = unimplementedReport(pseries.machine);
    if (unimpl) io.warn(`the guest met instructions or SPRs this CPU does not implement:\n${unimpl}`);
    await closeAll();
  }
}
