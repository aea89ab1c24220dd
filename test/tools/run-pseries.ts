// Runs a QEMU-style command line on pseries-wasm: parseArgs -> -netdev backends -> bootFromConfig
// -> NICs attached -> runAsync, exit status of the guest. Stopgap until bin/pseries-wasm runs machines.
//   npx tsx test/tools/run-pseries.ts -M pseries -m 512M ... -kernel guests/prebuilt/veth-le.elf ...
import { parseArgs } from '../../host-ts/cli/parse-args.js';
import { bootFromConfig } from '../../host-ts/machine/boot-config.js';
import { openNetdevs } from '../../host-ts/net/create-backend.js';
const parsed = parseArgs(process.argv.slice(2));
const cfg = parsed.config;
if (parsed.action !== 'run' || !cfg) { console.error(parsed); process.exit(2); }
for (const w of parsed.warnings) console.error(`pseries-wasm: warning: ${w}`);
const nets = await openNetdevs(cfg.netdevs, cfg.filterDumps);
const { pseries, close } = bootFromConfig(cfg, {});
cfg.nics.forEach((n, i) => { const b = n.netdev && nets.forNic.get(n.netdev); if (b) pseries.vlans[i]!.attachBackend(b); });
const t0 = Date.now();
const r = await pseries.runAsync();
close();
await nets.closeAll();
console.error(`[pseries-wasm ${r.reason} exit ${pseries.exitStatus} after ${Date.now() - t0} ms]`);
process.exit(pseries.exitStatus ?? 1);
