// The pseries-wasm command: argv -> config -> machine. Errors are one line on stderr, exit 1.
import { readFileSync } from 'node:fs';
import { CliError, parseArgs } from './parse-args.js';
import { HELP } from './help.js';
import { runMachine } from './run-machine.js';

const PROG = 'pseries-wasm';

export interface CliIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const defaultIo: CliIo = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `${PROG} ${pkg.version} (qemu-system-ppc64 7.2 command-line subset)\n`;
}

/** Runs the command; resolves to the exit status. */
export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(argv);
  } catch (e) {
    if (e instanceof CliError) {
      io.stderr(`${PROG}: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  if (parsed.action === 'help') { io.stdout(HELP); return 0; }
  if (parsed.action === 'version') { io.stdout(version()); return 0; }
  for (const w of parsed.warnings) io.stderr(`${PROG}: warning: ${w}\n`);
  if (parsed.action === 'dump-config') {
    io.stdout(JSON.stringify(parsed.config, null, 2) + '\n');
    return 0;
  }
  try {
    return await runMachine(parsed.config!, { warn: (m) => io.stderr(`${PROG}: warning: ${m}\n`) });
  } catch (e) {
    // Bad files, busy ports, missing TAP...: one line naming the cause, as QEMU does.
    io.stderr(`${PROG}: ${(e as Error).message}\n`);
    if (process.env.PSERIES_DEBUG) io.stderr(`${(e as Error).stack}\n`);
    return 1;
  }
}
