// `npm start` (tsx host-ts/main.ts [options]): the use-rx-buffer-pools demo, no root, no TAP.
// The veth guest runs twice on the emulator with an in-process network backend; the table and
// the conclusion come from the device's counters (host-ts/demo/).
import { parseArgs } from 'node:util';
import logUpdate from 'log-update';
import { runDemo, DEFAULT_DEMO, type DemoOptions } from './demo/demo.js';
import { formatReport } from './demo/report.js';
import { DemoError, type Progress } from './demo/run-mode.js';

const HELP = `usage: npm start -- [options]

Boots the veth guest (guests/prebuilt/veth-be.elf) twice on pseries-wasm, with
use-rx-buffer-pools=off and =on, feeds both the same traffic through an in-process
backend (64 KiB ping fragments, a bulk transfer, small frames, jumbo frames) and
prints what each mode did with it. Deterministic: time is guest virtual time.

  --frames N          frames per traffic phase (default ${DEFAULT_DEMO.frames})
  --queue N           backend queue in frames, like a TAP's txqueuelen (default ${DEFAULT_DEMO.queue})
  --link-gbps G       arrival rate inside a burst (default ${DEFAULT_DEMO.linkBps / 1e9})
  --burst N           small frames per burst (default ${DEFAULT_DEMO.smallBurst})
  --nofit-timeout US  device rx-nofit-timeout; 0 = QEMU (default ${DEFAULT_DEMO.nofitTimeoutUs})
  --multi-add         the guest posts 8 buffers per hypercall (H_ADD_LOGICAL_LAN_BUFFERS)
  --json              print the results as JSON instead of the table
  -h, --help          this text
`;

function num(v: string | undefined, name: string, def: number, min: number): number {
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min) throw new DemoError(`--${name}: expected a number >= ${min}, got '${v}'`);
  return n;
}

function progressLine(p: Progress): string {
  return `[${p.mode === 'legacy' ? 1 : 2}/2] ${p.mode.padEnd(6)} ${p.phase.padEnd(5)} offered ${p.offered}/${p.frames}  received ${p.received}  guest time ${(p.vclockNs / 1e6).toFixed(1)} ms`;
}

function main(argv: string[]): number {
  let opts: DemoOptions;
  let json = false;
  try {
    const { values } = parseArgs({
      args: argv, strict: true, allowPositionals: false,
      options: {
        frames: { type: 'string' }, queue: { type: 'string' }, 'link-gbps': { type: 'string' }, burst: { type: 'string' },
        'nofit-timeout': { type: 'string' }, 'multi-add': { type: 'boolean' }, json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) {
      process.stdout.write(HELP);
      return 0;
    }
    json = values.json ?? false;
    opts = {
      frames: Math.floor(num(values.frames, 'frames', DEFAULT_DEMO.frames, 1)),
      queue: Math.floor(num(values.queue, 'queue', DEFAULT_DEMO.queue, 1)),
      linkBps: num(values['link-gbps'], 'link-gbps', DEFAULT_DEMO.linkBps / 1e9, 0.001) * 1e9,
      smallBurst: Math.floor(num(values.burst, 'burst', DEFAULT_DEMO.smallBurst, 1)),
      nofitTimeoutUs: Math.floor(num(values['nofit-timeout'], 'nofit-timeout', DEFAULT_DEMO.nofitTimeoutUs, 0)),
      multiAdd: values['multi-add'] ?? false,
    };
  } catch (e) {
    process.stderr.write(`pseries-wasm demo: ${(e as Error).message}\n`);
    return 1;
  }
  // A single progress line on a terminal; nothing when stdout is a file or a pipe.
  // (A terminal that reports no width, e.g. a bare pty, would get every line wrapped away.)
  const tty = process.stdout.isTTY === true && (process.stdout.columns ?? 0) > 0;
  let lastDraw = 0;
  if (tty) {
    opts.onProgress = (p) => {
      const t = performance.now();
      if (t - lastDraw < 100) return;
      lastDraw = t;
      logUpdate(progressLine(p));
    };
  }
  try {
    const result = runDemo(opts);
    if (tty) logUpdate.clear();
    if (json) {
      const { legacy, pools, settings } = result;
      const strip = ({ console: _c, ...r }: typeof legacy) => r;
      process.stdout.write(`${JSON.stringify({ settings, legacy: strip(legacy), pools: strip(pools) }, null, 2)}\n`);
    } else {
      process.stdout.write(`${formatReport(result)}\n`);
    }
    return 0;
  } catch (e) {
    if (tty) logUpdate.clear();
    process.stderr.write(`pseries-wasm demo: ${e instanceof DemoError ? e.message : (e as Error).stack}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
