// A machine in a worker thread with the Vm API from the main thread: createVmWorker(config) starts
// a worker (worker-boot.mjs -> worker-entry.ts) that runs createVm, and returns a WorkerVm whose
// methods post messages. Control methods return promises (await them as with Vm, whose methods
// return at once); events, console streams and in-process frames look the same. Frames cross in
// batches: one transferred ArrayBuffer per direction per event-loop turn (frame-batch.ts).
import { EventEmitter } from 'node:events';
import { frameEvents } from '../net/frame-events.js';
import { PassThrough, Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import type { MachineConfig, MachineConfigInput } from '../config/machine-config.js';
import type { RunState } from '../qmp/qmp-target.js';
import type { VmExit, VmHandle, VmStats } from './vm.js';
import { VmWorkerError, vmErrorFrom, type VmError } from './errors.js';
import { packFrames, unpackFrames, TurnBatcher } from './frame-batch.js';
import type { FromWorker, ToWorker, VmMethod, WireError, WorkerVmOptions } from './worker-protocol.js';

const BOOT = new URL('./worker-boot.mjs', import.meta.url);

const fromWire = (e: WireError): VmError => vmErrorFrom(e.code, e.message, e.state);
const errorOf = (e?: { name: string; message: string }) => {
  if (!e) return undefined;
  const err = new Error(e.message);
  err.name = e.name;
  return err;
};

/** An in-process netdev of a machine in a worker: frames in and out, batched across the thread. */
export class WorkerNet extends EventEmitter {
  private readonly batch: TurnBatcher<Uint8Array>;

  constructor(readonly id: string, post: (buf: ArrayBuffer) => void) {
    super();
    this.batch = new TurnBatcher((frames) => post(packFrames(frames)));
  }

  /** Queues frames for the guest (sent with the others of this event-loop turn); always true. */
  send(...frames: Uint8Array[]): boolean {
    for (const f of frames) this.batch.push(f);
    return true;
  }

  /** Guest transmissions as an async iterator (ends when the machine stops). */
  async *frames(): AsyncGenerator<Uint8Array> {
    yield* frameEvents(this);
  }

  /** @internal */
  deliver(buf: ArrayBuffer): void {
    for (const f of unpackFrames(buf)) this.emit('frame', f);
  }
}

/** Events as Vm's: 'state', 'qmp-event', 'powered-off', 'guest-panic', 'unimplemented', 'link', 'reboot'. */
export class WorkerVm extends EventEmitter implements VmHandle {
  readonly console: { readonly output: PassThrough; readonly input: Writable };
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private runState: RunState = 'prelaunch';
  private readonly nets = new Map<string, WorkerNet>();
  private readonly exited: Promise<VmExit>;
  private finish!: (e: VmExit) => void;
  private exitInfo?: VmExit;
  private final?: { stats: VmStats; metrics: string };
  metricsPort?: number;

  private constructor(private readonly worker: Worker) {
    super();
    this.exited = new Promise((r) => (this.finish = r));
    const output = new PassThrough();
    const input = new Writable({
      write: (chunk: Buffer, _enc, cb) => {
        this.call('write', new Uint8Array(chunk)).then(() => cb(), cb);
      },
    });
    this.console = { output, input };
  }

  /** Starts a worker thread and creates the machine there; rejects with the same typed errors as createVm. */
  static async create(config: MachineConfigInput | MachineConfig, opts: WorkerVmOptions = {}): Promise<WorkerVm> {
    const worker = new Worker(BOOT);
    const vm = new WorkerVm(worker);
    return new Promise<WorkerVm>((resolve, reject) => {
      const fail = (e: Error) => { reject(e); void worker.terminate(); };
      worker.on('error', (e) => {
        const err = new VmWorkerError(`the machine's worker thread failed: ${e.message}`, { cause: e });
        vm.crash(err);
        fail(err);
      });
      worker.on('exit', (code) => vm.crash(new VmWorkerError(`the machine's worker thread exited (code ${code})`)));
      worker.on('message', (m: FromWorker) => {
        if (m.t === 'created') {
          vm.runState = m.status;
          vm.metricsPort = m.metricsPort;
          for (const id of m.nets) vm.nets.set(id, new WorkerNet(id, (buf) => vm.post({ t: 'frames', net: id, buf }, [buf])));
          resolve(vm);
        } else if (m.t === 'create-failed') {
          fail(fromWire(m.err));
        } else {
          vm.onMessage(m);
        }
      });
      vm.post({ t: 'create', config, opts });
    });
  }

  status(): RunState {
    return this.runState;
  }

  start(): Promise<void> { return this.call('start') as Promise<void>; }
  pause(): Promise<void> { return this.call('pause') as Promise<void>; }
  resume(): Promise<void> { return this.call('resume') as Promise<void>; }
  reset(): Promise<void> { return this.call('reset') as Promise<void>; }

  /** Quits the machine, waits for it to close, ends the worker thread. */
  async stop(): Promise<VmExit> {
    if (!this.exitInfo) await this.call('stop').catch(() => {});
    return this.exited;
  }

  wait(): Promise<VmExit> {
    return this.exited;
  }

  write(input: string | Uint8Array): Promise<void> {
    return this.call('write', typeof input === 'string' ? new TextEncoder().encode(input) : input) as Promise<void>;
  }

  net(id: string): WorkerNet {
    const n = this.nets.get(id);
    if (!n) throw vmErrorFrom('netdev', `no in-process netdev '${id}' (in-process netdevs: ${[...this.nets.keys()].join(', ') || 'none'})`);
    return n;
  }

  /** Counters (after power-off: the last ones, sent with the event). */
  stats(): Promise<VmStats> {
    return this.final ? Promise.resolve(this.final.stats) : this.call('stats') as Promise<VmStats>;
  }

  metrics(): Promise<string> {
    return this.final ? Promise.resolve(this.final.metrics) : this.call('metrics') as Promise<string>;
  }

  private post(m: ToWorker, transfer: ArrayBuffer[] = []): void {
    this.worker.postMessage(m, transfer);
  }

  private call(method: VmMethod, ...args: unknown[]): Promise<unknown> {
    if (this.exitInfo && method !== 'stats' && method !== 'metrics') {
      return Promise.reject(vmErrorFrom('state', `cannot ${method}: the machine is powered off (${this.exitInfo.reason}); create a new one`, 'shutdown'));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.post({ t: 'call', id, method, args });
    });
  }

  private onMessage(m: FromWorker): void {
    switch (m.t) {
      case 'reply': {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        if (m.ok) p?.resolve(m.value);
        else p?.reject(fromWire(m.err));
        break;
      }
      case 'console':
        this.console.output.write(Buffer.from(m.buf));
        break;
      case 'frames':
        this.nets.get(m.net)?.deliver(m.buf);
        break;
      case 'drain':
        this.nets.get(m.net)?.emit('drain');
        break;
      case 'event':
        this.onEvent(m.name, m.payload);
        break;
    }
  }

  private onEvent(name: string, payload: unknown): void {
    if (name === 'state') this.runState = payload as RunState;
    if (name === 'guest-panic') {
      this.emit(name, errorOf(payload as { name: string; message: string }));
      return;
    }
    if (name === 'powered-off') {
      const p = payload as VmExit & { error?: { name: string; message: string }; stats: VmStats; metrics: string };
      this.final = { stats: p.stats, metrics: p.metrics };
      const exit: VmExit = { reason: p.reason, exitStatus: p.exitStatus };
      if (p.error) exit.error = errorOf(p.error);
      this.end(exit);
      return;
    }
    this.emit(name, payload);
  }

  private end(exit: VmExit): void {
    if (this.exitInfo) return;
    this.exitInfo = exit;
    this.runState = 'shutdown';
    this.console.output.end();
    for (const n of this.nets.values()) n.emit('close');
    this.emit('powered-off', exit);
    this.finish(exit);
    // Replies still in flight (a stop() racing the guest's power-off) arrive before the thread ends.
    setImmediate(() => void this.worker.terminate());
  }

  /** The thread died: every pending call fails, wait() resolves as a panic. */
  private crash(err: VmWorkerError): void {
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    if (!this.exitInfo) this.end({ reason: 'panic', exitStatus: 1, error: err });
  }
}

/** createVm in a worker thread (see WorkerVm). */
export function createVmWorker(config: MachineConfigInput | MachineConfig, opts: WorkerVmOptions = {}): Promise<WorkerVm> {
  return WorkerVm.create(config, opts);
}
