// A Node HTTP service that boots a guest per request and answers with its result: the workload
// guest (guests/workload.c) runs `iterations` rounds and prints its checksums; the service returns
// that line as JSON. Machines run on the service's event loop (createVm) or each in a worker
// thread (?worker=1), so requests are served while guests run. Loopback only by default.
//
//   npx tsx examples/http-service.ts            # PORT=8080 by default
//   curl 'http://127.0.0.1:8080/run?iterations=5'
//
// From an installed package: import { createVm, createVmWorker, VmError } from 'pseries-wasm'.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVm, createVmWorker, VmError, type MachineConfigInput, type VmHandle } from '../host-ts/index.js';
import { workloadImage } from './workload-image.js';

export interface ServiceOptions {
  port?: number;
  host?: string;
}

export interface Service {
  url: string;
  close(): Promise<void>;
}

const MAX_ITERATIONS = 1000;

/** One guest run: the workload with `iterations` rounds; resolves to its result line and counters. */
export async function runWorkload(iterations: number, worker: boolean) {
  const config: MachineConfigInput = {
    ramSize: 256 << 20,
    nodefaults: true,
    chardevs: [{ backend: 'stdio', id: 'con', signal: false }],
    vtys: [{ chardev: 'con' }],
    kernel: 'workload.elf',
  };
  const files = { 'workload.elf': workloadImage(iterations) };
  const t0 = performance.now();
  const vm: VmHandle = worker ? await createVmWorker(config, { files }) : await createVm(config, { files });
  let out = '';
  vm.console.output.on('data', (b: Buffer) => { out += b.toString('latin1'); });
  await vm.start();
  const exit = await vm.wait();
  const stats = await vm.stats();
  const line = out.split('\n').find((l) => l.startsWith('workload: crc32')) ?? '';
  return { iterations, result: line, exit: exit.reason, insns: String(stats.insns), ms: Math.round(performance.now() - t0) };
}

export function startService(opts: ServiceOptions = {}): Promise<Service> {
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body) + '\n');
    };
    if (url.pathname !== '/run' || req.method !== 'GET') return send(404, { error: 'GET /run?iterations=N[&worker=1]' });
    const iterations = Number(url.searchParams.get('iterations') ?? '1');
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
      return send(400, { error: `iterations must be an integer 1..${MAX_ITERATIONS}` });
    }
    try {
      send(200, await runWorkload(iterations, url.searchParams.get('worker') === '1'));
    } catch (e) {
      send(500, { error: (e as Error).message, code: e instanceof VmError ? e.code : 'internal' });
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      const a = server.address() as AddressInfo;
      resolve({
        url: `http://${a.address}:${a.port}`,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].replace(/.*\//, '/'))) {
  const s = await startService({ port: Number(process.env.PORT ?? 8080) });
  console.log(`listening on ${s.url} (GET /run?iterations=N[&worker=1])`);
}
