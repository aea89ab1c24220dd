// Builds the TAP addon (bindings/) with node-gyp from devDependencies, against Node's own
// headers when the machine has them (offline: node-gyp would otherwise download them).
// Only TAP users need the addon: a failed build warns and leaves the rest of the install
// working, unless --strict is given.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const strict = process.argv.includes('--strict');
const require = createRequire(import.meta.url);

let nodeGyp;
try {
  nodeGyp = require.resolve('node-gyp/bin/node-gyp.js');
} catch {
  console.warn('build-addon: node-gyp is not installed (devDependency); TAP backend unavailable');
  process.exit(strict ? 1 : 0);
}

const args = [nodeGyp, 'rebuild', '--directory', join(root, 'bindings')];
const nodedir = process.env.npm_config_nodedir
  || (existsSync(join(dirname(process.execPath), '..', 'include', 'node', 'node_api.h'))
    ? join(dirname(process.execPath), '..') : undefined);
if (nodedir) args.push(`--nodedir=${nodedir}`);

const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
if (r.status !== 0) {
  console.warn(`build-addon: building bindings/ failed; TAP backend unavailable\n${r.stderr.split('\n').filter((l) => /error|Error/.test(l)).slice(0, 10).join('\n')}`);
  process.exit(strict ? 1 : 0);
}
console.log('build-addon: bindings/build/Release/tap.node');
