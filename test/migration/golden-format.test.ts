// The stream format is a deliberate interface: this test fails when any sent field, type, order,
// version, subsection or limit changes without test/migration/golden-format.txt being updated
// (QEMU's vmstate static checker). Regenerate with: UPDATE_GOLDEN=1 npx vitest run test/migration/golden-format.test.ts
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { describeStreamFormat } from '../../host-ts/migration/index.js';
import '../../host-ts/migration/builtin-hooks.js';

const golden = join(dirname(fileURLToPath(import.meta.url)), 'golden-format.txt');

test('stream format matches the golden description', () => {
  const now = describeStreamFormat();
  if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, now);
  const want = readFileSync(golden, 'utf8');
  if (now !== want) {
    const a = want.split('\n');
    const b = now.split('\n');
    const first = b.findIndex((l, i) => l !== a[i]);
    throw new Error(`migration stream format changed (first difference at line ${first + 1}:\n  golden: ${a[first]}\n  now:    ${b[first]})\n`
      + 'If intended, bump the block version (and minVersion when old streams can no longer load) and regenerate the golden '
      + 'file: UPDATE_GOLDEN=1 npx vitest run test/migration/golden-format.test.ts');
  }
  expect(now).toBe(want);
});

test('the golden description names every sent field of the LAN device and its pool subsection', () => {
  const d = describeStreamFormat();
  expect(d).toContain('section vlan version 1 minVersion 1');
  expect(d).toContain('  subsection rx_pools version 1 needed poolsEnabled 163880 bytes'); // spec 7: 5 x 32 776
  expect(d).toContain('region tceTable version 1 element u64');
});
