// The worker side of a WorkerVm: one machine (createVm) per worker thread, driven by messages
// (worker-protocol.ts). Guest transmissions and console output are batched per event-loop turn
// and transferred; events are forwarded as they happen.
import { parentPort } from 'node:worker_threads';
import { createVm, type Vm, type VmExit } from './vm.js';
import { VmError } from './errors.js';
import { packFrames, unpackFrames, TurnBatcher } from './frame-batch.js';
import type { FromWorker, ToWorker, WireError } from './worker-protocol.js';

if (!parentPort) throw new Error('worker-entry.ts runs only in a worker thread');
const port = parentPort;

const post = (m: FromWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

function wire(e: unknown): WireError {
  if (e instanceof VmError) return { code: e.code, message: e.message, state: (e as { state?: string }).state };
  return { code: 'worker', message: e instanceof Error ? e.message : String(e) };
}

const plainError = (e: Error | undefined) => e && { name: e.name, message: e.message };

let vm: Vm | undefined;

async function create(msg: Extract<ToWorker, { t: 'create' }>): Promise<void> {
  try {
    vm = await createVm(msg.config, msg.opts);
  } catch (e) {
    post({ t: 'create-failed', err: wire(e) });
    port.close();
    return;
  }
  const v = vm;
  const consoleOut = new TurnBatcher<Buffer>((chunks) => {
    const all = Buffer.concat(chunks);
    const buf = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
    post({ t: 'console', buf }, [buf]);
  });
  v.console.output.on('data', (b: Buffer) => consoleOut.push(b));
  const nets: string[] = [];
  for (const nd of v.config.netdevs) {
    if (nd.type !== 'in-process') continue;
    nets.push(nd.id);
    const net = v.net(nd.id);
    const out = new TurnBatcher<Uint8Array>((frames) => {
      const buf = packFrames(frames);
      post({ t: 'frames', net: nd.id, buf }, [buf]);
    });
    net.on('frame', (f) => out.push(f));
    net.on('drain', () => post({ t: 'drain', net: nd.id }));
  }
  for (const name of ['state', 'qmp-event', 'unimplemented', 'link', 'reboot']) {
    v.on(name, (payload: unknown) => post({ t: 'event', name, payload }));
  }
  v.on('guest-panic', (e: Error) => post({ t: 'event', name: 'guest-panic', payload: plainError(e) }));
  v.on('powered-off', (exit: VmExit) => {
    consoleOut.drain();
    // The last counters travel with the event: the thread ends after it.
    post({ t: 'event', name: 'powered-off', payload: { ...exit, error: plainError(exit.error), stats: v.stats(), metrics: v.metrics() } });
  });
  post({ t: 'created', status: v.status(), nets, metricsPort: v.metricsPort });
}

async function call(msg: Extract<ToWorker, { t: 'call' }>): Promise<void> {
  try {
    if (!vm) throw new Error('the machine is not created');
    let value: unknown;
    switch (msg.method) {
      case 'start': vm.start(); break;
      case 'pause': vm.pause(); break;
      case 'resume': vm.resume(); break;
      case 'reset': vm.reset(); break;
      case 'write': vm.write(msg.args[0] as Uint8Array); break;
      case 'stats': value = vm.stats(); break;
      case 'metrics': value = vm.metrics(); break;
      case 'stop': {
        const exit = await vm.stop();
        value = { ...exit, error: plainError(exit.error) };
        break;
      }
    }
    post({ t: 'reply', id: msg.id, ok: true, value });
  } catch (e) {
    post({ t: 'reply', id: msg.id, ok: false, err: wire(e) });
  }
}

port.on('message', (msg: ToWorker) => {
  if (msg.t === 'create') void create(msg);
  else if (msg.t === 'call') void call(msg);
  else if (msg.t === 'frames') vm?.net(msg.net).send(...unpackFrames(msg.buf));
});
