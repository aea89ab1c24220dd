// Live migration between two pseries-wasm processes over TCP loopback: this process is the source
// (with a guest writing RAM during pre-copy), a child process is the destination.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { migrate } from '../../host-ts/migration/index.js';
import { makeMachine, randomizeState, stateHash } from './helpers.js';
import { GuestWriter } from './guest-writer.js';

const here = dirname(fileURLToPath(import.meta.url));
const RAM = 8 << 20;

test('source here, destination in a child process: destination state hash equals the source', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'child-incoming.ts'), 'tcp:127.0.0.1:0', String(RAM)], {
    cwd: join(here, '../..'),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, string>> => JSON.parse((await lines.next()).value as string);
  try {
    const l = await next();
    expect(l.event).toBe('listening');
    const src = makeMachine({ ramSize: RAM, vlans: 2 });
    randomizeState(src, 99);
    const guest = new GuestWriter(src, 99);
    guest.resume();
    const out = await migrate(src, l.uri, { control: guest, batchPages: 128 }).done;
    const d = await next();
    expect(out.status).toBe('completed');
    expect(d).toEqual({ event: 'done', status: 'completed', bytes: out.transferredBytes, hash: stateHash(src) });
  } finally {
    child.kill();
  }
});
