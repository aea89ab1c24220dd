// examples/: the HTTP service (a guest per request, on the event loop and in workers, concurrent
// requests, bad input) and the benchmark script, both run on loopback; and the package entry
// ('pseries-wasm' from plain Node, no TypeScript loader of our own).
import { describe, expect, test } from 'vitest';
import { readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { startService } from '../../examples/http-service.js';

const ROOT = join(__dirname, '../..');
const EXPECTED: Record<string, string> = JSON.parse(readFileSync(join(ROOT, 'test/vm/data/qemu-workload-iterations.json'), 'utf8'));
const line = (n: number) => EXPECTED[String(n)].split('\n')[1];

describe('examples/http-service.ts', () => {
  test('a guest per request: results checked against QEMU, in-process and in a worker, concurrently', async () => {
    const s = await startService();
    try {
      expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const get = async (q: string) => {
        const r = await fetch(`${s.url}${q}`);
        return { status: r.status, body: await r.json() as Record<string, unknown> };
      };
      const [a, b, c] = await Promise.all([get('/run?iterations=2'), get('/run?iterations=4&worker=1'), get('/run?iterations=1')]);
      expect(a.status).toBe(200);
      expect(a.body).toMatchObject({ iterations: 2, result: line(2), exit: 'power-off' });
      expect(b.body).toMatchObject({ iterations: 4, result: line(4), exit: 'power-off' });
      expect(c.body).toMatchObject({ iterations: 1, result: line(1), exit: 'power-off' });
      expect(BigInt(b.body.insns as string)).toBeGreaterThan(BigInt(a.body.insns as string));
      expect(await get('/run?iterations=0')).toEqual({ status: 400, body: { error: 'iterations must be an integer 1..1000' } });
      expect((await get('/nope')).status).toBe(404);
    } finally {
      await s.close();
    }
  });
});

describe('examples/benchmark.ts', () => {
  test('runs as a script: every machine prints the QEMU result; the JSON line adds up', () => {
    const out = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'examples/benchmark.ts'), '--machines', '3', '--iterations', '2'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    const lines = out.trim().split('\n');
    const r = JSON.parse(lines[lines.length - 1]);
    expect(r).toMatchObject({ mode: 'inprocess', machines: 3, iterations: 2 });
    expect(r.results).toEqual([line(2), line(2), line(2)]);
    expect(lines.slice(0, 3)).toEqual([0, 1, 2].map((i) => `machine ${i}: ${line(2)}`));
    // three identical guests: the total is three times one guest's (deterministic) count
    expect(BigInt(r.totalInsns) % 3n).toBe(0n);
    expect(r.insnsPerSec).toBeGreaterThan(0);
  });
});

describe('package entry', () => {
  test("import { createVm } from 'pseries-wasm' in plain Node runs a guest", () => {
    const script = `
      import { createVm, VmConfigError } from 'pseries-wasm';
      const vm = await createVm({ nodefaults: true, chardevs: [{ backend: 'stdio', id: 'c', signal: false }], vtys: [{ chardev: 'c' }], kernel: 'guests/prebuilt/hello-le.elf' });
      let out = '';
      vm.console.output.on('data', (b) => { out += b; });
      vm.start();
      const exit = await vm.wait();
      const bad = await createVm({ ramSize: 1 }).catch((e) => e instanceof VmConfigError);
      console.log(JSON.stringify({ reason: exit.reason, last: out.trim().split('\\n').pop(), bad }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(out)).toEqual({ reason: 'power-off', last: 'powering off', bad: true });
  });
});
