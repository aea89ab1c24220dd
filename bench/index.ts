// `npm run bench`: runs every benchmark module in bench/ (each file but this one, exporting a
// default async function) in one process, so ratios are measured side by side in one run.
// Pass names to run a subset: `npm run bench -- rx-path cpu`.
import { readdirSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.d.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(basename(f, '.ts')))
  .sort();

for (const f of files) {
  const mod = (await import(pathToFileURL(join(here, f)).href)) as { default?: () => Promise<void> | void };
  if (typeof mod.default !== 'function') continue;
  console.log(`\n== ${basename(f, '.ts')} ==`);
  await mod.default();
}
