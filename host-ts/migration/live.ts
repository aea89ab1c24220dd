// Live migration between two machines over a socket (tcp: or unix:), and to/from files.
// Source: send all RAM while the guest runs (dirty tracking on), resend the pages dirtied meanwhile
// while that set keeps shrinking and is too big for the downtime target, then pause the guest,
// send the last dirty pages and the device state, and wait for the destination's verdict.
// Destination: decode into a staging copy, validate, commit, answer, then run the guest.
// A failed migration resumes the source; the destination stays untouched.
import type * as net from 'node:net';
import { StreamWriter, writeDeviceState, writePages, writePageRange } from './writer.js';
import { StreamDecoder, type DecodeOptions } from './decoder.js';
import { MigrationError } from './errors.js';
import { startDirtyTracking, stopDirtyTracking, takeDirtyPages, ramPages, type MachineLike } from './dirty.js';
import { connectMigration, listenMigration, parseMigrationUri, type MigrationUri } from './transport.js';
import { newStatus, type Migratable, type MigrationStatus } from './status.js';
import { saveMachineToFile, loadMachineFromFile } from './snapshot.js';
import { PAGE } from './format.js';

export interface MigrateOptions {
  /** The run loop to pause for stop-and-copy (absent: the machine only runs when the host calls it). */
  control?: Migratable;
  /** Downtime target: stop when the remaining dirty pages would take less than this to send (default 300 ms). */
  maxDowntimeMs?: number;
  /** At most this many dirty passes after the first full pass (default 30). */
  maxIterations?: number;
  /** Pages per batch between yields to the event loop, so the guest keeps running (default 4096 = 16 MiB). */
  batchPages?: number;
  /** ms to wait for the destination's verdict after the end record (default 30 000). */
  ackTimeoutMs?: number;
}

/** Auto-converge: first throttle, step, ceiling (fraction of guest time taken away; QEMU: 20%, 10%, 99%). */
const THROTTLE_INITIAL = 0.2;
const THROTTLE_STEP = 0.1;
const THROTTLE_MAX = 0.99;

const REPLY_OK = 0;
const REPLY_ERROR = 1;
/** Longest refusal message the source accepts from a destination. */
const MAX_REPLY = 64 * 1024;
const yieldToLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
const now = (): number => performance.now();

/** A migration in progress (the source side); `status()` is query-migrate. */
export class MigrationJob {
  private readonly st: MigrationStatus;
  private cancelled = false;
  /** Set when this job paused the source (a failure then resumes it). */
  private paused = false;
  private socket: net.Socket | undefined;
  readonly done: Promise<MigrationStatus>;

  constructor(readonly machine: MachineLike, readonly uri: string, private readonly opts: MigrateOptions = {}) {
    this.st = newStatus(machine.ramSize);
    this.done = this.run();
  }

  status(): MigrationStatus {
    return structuredClone(this.st);
  }

  /** QMP migrate_cancel: stops sending, resumes the source. */
  cancel(): void {
    this.cancelled = true;
    this.socket?.destroy();
  }

  private async run(): Promise<MigrationStatus> {
    const t0 = now();
    const ctl = this.opts.control;
    const wasRunning = ctl?.isRunning ?? false;
    this.st.status = 'setup';
    try {
      const u = parseMigrationUri(this.uri);
      if (u.kind === 'file') {
        this.pause();
        const t = now();
        this.st.transferredBytes = saveMachineToFile(this.machine, u.path);
        this.st.downtimeMs = now() - t;
      } else if (u.kind === 'defer') {
        throw new Error("'defer' is only for -incoming");
      } else {
        await this.live(u, t0);
      }
      this.st.status = 'completed'; // the source stays paused, as QEMU's does
    } catch (e) {
      ctl?.throttle?.(0);
      if (this.paused && wasRunning) ctl?.resume();
      stopDirtyTracking(this.machine);
      this.st.status = this.cancelled ? 'cancelled' : 'failed';
      this.st.errorDesc = (e as Error).message;
    } finally {
      this.socket?.destroy();
      this.st.totalTimeMs = now() - t0;
    }
    return this.status();
  }

  private pause(): void {
    this.opts.control?.pause();
    this.paused = true;
  }

  /** Runs the live migration; a refusal the destination sent wins over the socket error it causes. */
  private async live(u: MigrationUri, t0: number): Promise<void> {
    let refusal: string | undefined;
    try {
      await this.liveInner(u, t0, (r) => { refusal = r; });
    } catch (e) {
      await new Promise((r) => setTimeout(r, 20)); // let a refusal already on the wire arrive
      if (refusal !== undefined) throw new Error(`destination refused the migration: ${refusal}`);
      throw e;
    }
  }

  private async liveInner(u: MigrationUri, t0: number, onRefusal: (msg: string) => void): Promise<void> {
    const m = this.machine;
    const sock = await connectMigration(u);
    this.socket = sock;
    const reply = readReply(sock);
    reply.then((v) => { if (v !== undefined) onRefusal(v); }, () => {}); // observed below too
    let backlog = false;
    let sockErr: Error | undefined;
    sock.on('error', (e) => { sockErr = e; });
    const w = new StreamWriter((c, release) => {
      if (!sock.write(c, () => release())) backlog = true;
    });
    const drain = async (): Promise<void> => {
      w.flush();
      if (sockErr) throw sockErr;
      if (this.cancelled) throw new Error('migration cancelled');
      if (backlog) {
        await new Promise<void>((r, j) => {
          const onClose = (): void => j(sockErr ?? new Error('destination closed the connection'));
          sock.once('close', onClose);
          sock.once('drain', () => { sock.off('close', onClose); r(); });
        });
        backlog = false;
      } else {
        await yieldToLoop();
      }
      this.st.transferredBytes = w.bytes;
      this.st.ram.normal = w.pagesData;
      this.st.ram.duplicate = w.pagesZero;
      this.st.ram.transferred = w.pagesData * PAGE;
    };
    w.header(m.ramSize);
    this.st.setupTimeMs = now() - t0;
    this.st.status = 'active';
    startDirtyTracking(m);
    const pages = ramPages(m);
    const batch = this.opts.batchPages ?? 4096;
    let passStart = now();
    for (let p = 0; p < pages; p += batch) {
      writePageRange(w, m, p, Math.min(pages, p + batch));
      await drain();
    }
    const bw = (bytes: number, ms: number): number => bytes / Math.max(ms, 1); // bytes per ms
    let bandwidth = bw(w.bytes, now() - passStart);
    let lastPassBytes = w.bytes;
    const maxDown = this.opts.maxDowntimeMs ?? 300;
    const maxIter = this.opts.maxIterations ?? 30;
    let throttle = 0;
    let prev = Infinity;
    let dirty = takeDirtyPages(m);
    for (;;) {
      const elapsed = now() - passStart;
      this.st.ram.dirtyPagesRate = Math.round(dirty.length / Math.max(elapsed / 1000, 1e-3));
      this.st.ram.remaining = dirty.length;
      const est = (dirty.length * (PAGE + 9)) / bandwidth;
      if (est <= maxDown || this.st.ram.dirtySyncCount >= maxIter) break;
      const ctl = this.opts.control;
      if (ctl?.throttle) {
        // QEMU auto-converge: the guest dirtied more than half of what the last pass sent, so it is
        // outrunning the link; take more of its time away (more passes then pay off).
        if (dirty.length * PAGE > lastPassBytes / 2 && throttle < THROTTLE_MAX) {
          throttle = Math.min(THROTTLE_MAX, throttle === 0 ? THROTTLE_INITIAL : throttle + THROTTLE_STEP);
          ctl.throttle(throttle);
          this.st.cpuThrottlePercentage = Math.round(throttle * 100);
        } else if (dirty.length >= prev && throttle >= THROTTLE_MAX) break;
      } else if (dirty.length >= prev) {
        break; // not converging and the guest cannot be slowed: stop and copy now
      }
      prev = dirty.length;
      passStart = now();
      const before = w.bytes;
      for (let i = 0; i < dirty.length; i += batch) {
        writePages(w, m, dirty.subarray(i, i + batch));
        await drain();
      }
      bandwidth = Math.max(bandwidth * 0.5, bw(w.bytes - before, now() - passStart));
      lastPassBytes = w.bytes - before;
      this.st.ram.dirtySyncCount++;
      dirty = takeDirtyPages(m);
    }
    // Stop and copy.
    if (throttle > 0) this.opts.control?.throttle?.(0);
    this.pause();
    const tStop = now();
    this.st.status = 'device';
    const last = takeDirtyPages(m);
    writePages(w, m, mergeSorted(dirty, last));
    stopDirtyTracking(m);
    writeDeviceState(w, m);
    w.end();
    await drain();
    // The destination answers once it has validated and committed everything.
    const ackMs = this.opts.ackTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const verdict = await Promise.race([
      reply,
      new Promise<never>((_, j) => { timer = setTimeout(() => j(new Error(`no answer from the destination within ${ackMs} ms after the end of the stream`)), ackMs); }),
    ]).finally(() => clearTimeout(timer));
    this.st.downtimeMs = now() - tStop;
    this.st.transferredBytes = w.bytes;
    if (verdict !== undefined) throw new Error(`destination refused the migration: ${verdict}`);
  }
}

/** Ascending union of two ascending page lists. */
function mergeSorted(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0, j = 0, k = 0;
  while (i < a.length || j < b.length) {
    const x = j >= b.length || (i < a.length && a[i] <= b[j]) ? a[i++] : b[j++];
    if (k === 0 || out[k - 1] !== x) out[k++] = x;
  }
  return out.subarray(0, k);
}

/** Waits for the destination's verdict: undefined = committed, a string = its error. */
function readReply(sock: net.Socket): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const finish = (f: () => void): void => { sock.off('data', onData); f(); };
    const onData = (d: Buffer): void => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 1 && buf[0] === REPLY_OK) return finish(() => resolve(undefined));
      if (buf.length >= 5 && buf[0] === REPLY_ERROR) {
        const n = buf.readUInt32BE(1);
        if (n > MAX_REPLY) finish(() => reject(new Error(`malformed answer from the destination (${n}-byte message)`)));
        else if (buf.length >= 5 + n) finish(() => resolve(buf.subarray(5, 5 + n).toString('utf8')));
      } else if (buf.length >= 1 && buf[0] !== REPLY_ERROR) {
        finish(() => reject(new Error('malformed answer from the destination')));
      }
    };
    sock.on('data', onData);
    sock.once('close', () => finish(() => reject(new Error('destination closed the connection without an answer'))));
  });
}

export function migrate(machine: MachineLike, uri: string, opts?: MigrateOptions): MigrationJob {
  return new MigrationJob(machine, uri, opts);
}

// ---------------------------------------------------------------- destination

export interface IncomingOptions extends DecodeOptions {
  /** The run loop to start once the state is committed (QEMU starts the guest unless -S). */
  control?: Migratable;
  /** Start the guest after a successful load (default true). */
  autostart?: boolean;
}

/** An incoming migration (-incoming URI); `start(uri)` is QMP migrate-incoming for `defer`. */
export class IncomingJob {
  private readonly st: MigrationStatus;
  private server: net.Server | undefined;
  private resolveDone!: (s: MigrationStatus) => void;
  readonly done: Promise<MigrationStatus>;
  /** The URI really listened on (tcp port 0 resolved), once listening. */
  listening: Promise<string>;
  private resolveListening!: (u: string) => void;
  private rejectListening!: (e: Error) => void;
  private started = false;

  constructor(readonly machine: MachineLike, uri: string, private readonly opts: IncomingOptions = {}) {
    this.st = newStatus(machine.ramSize);
    this.done = new Promise((r) => { this.resolveDone = r; });
    this.listening = new Promise((r, j) => { this.resolveListening = r; this.rejectListening = j; });
    this.listening.catch(() => {});
    if (parseMigrationUri(uri).kind !== 'defer') this.start(uri);
  }

  status(): MigrationStatus {
    return structuredClone(this.st);
  }

  /** Starts waiting on `uri` (needed after `defer`). */
  start(uri: string): void {
    if (this.started) throw new Error('incoming migration already started');
    const u = parseMigrationUri(uri);
    if (u.kind === 'defer') throw new Error("'defer' cannot be started: give tcp:, unix: or file:");
    this.started = true;
    this.st.status = 'setup';
    if (this.opts.control?.isRunning) this.opts.control.pause(); // an incoming machine does not run (QEMU inmigrate)
    const t0 = now();
    if (u.kind === 'file') {
      this.resolveListening(uri);
      this.st.status = 'active';
      loadMachineFromFile(this.machine, u.path, this.opts).then(
        (r) => { this.st.transferredBytes = r.bytes; this.succeed(t0); },
        (e: Error) => this.failWith(e, t0),
      );
      return;
    }
    listenMigration(u).then(({ server, uri: real }) => {
      this.server = server;
      this.resolveListening(real);
      server.once('connection', (sock) => {
        server.close(); // one migration per -incoming
        this.st.status = 'active';
        this.receive(sock, t0);
      });
    }, (e: Error) => {
      this.rejectListening(e);
      this.failWith(e, t0);
    });
  }

  /** Stops listening (no effect after a connection arrived). */
  close(): void {
    this.server?.close();
    if (this.st.status === 'setup' || this.st.status === 'none') this.failWith(new Error('incoming migration closed'), now());
  }

  private receive(sock: net.Socket, t0: number): void {
    const dec = new StreamDecoder(this.machine, { prefault: true, ...this.opts });
    let finished = false;
    const refuse = (e: Error): void => {
      if (finished) return;
      finished = true;
      const msg = Buffer.from(e.message, 'utf8');
      const head = Buffer.alloc(5);
      head[0] = REPLY_ERROR;
      head.writeUInt32BE(msg.length, 1);
      sock.end(Buffer.concat([head, msg]));
      this.failWith(e, t0);
    };
    sock.on('data', (chunk: Buffer) => {
      if (finished) return;
      try {
        dec.push(chunk);
        this.st.transferredBytes = dec.bytesReceived;
        if (!dec.done) return;
        const t = now();
        dec.finish().commit();
        this.st.downtimeMs = now() - t; // destination share of the downtime: validate + commit
      } catch (e) {
        refuse(e as Error);
        return;
      }
      finished = true;
      sock.end(Buffer.from([REPLY_OK]));
      this.st.ram.normal = dec.pagesReceived;
      this.succeed(t0);
    });
    sock.on('end', () => refuse(new MigrationError('stream', `truncated after ${dec.bytesReceived} bytes (the source closed the connection)`)));
    sock.on('error', (e) => refuse(e));
  }

  private succeed(t0: number): void {
    this.st.status = 'completed';
    this.st.totalTimeMs = now() - t0;
    if (this.opts.autostart !== false) this.opts.control?.resume();
    this.resolveDone(this.status());
  }

  private failWith(e: Error, t0: number): void {
    if (this.st.status === 'failed' || this.st.status === 'completed') return;
    this.st.status = 'failed';
    this.st.errorDesc = e.message;
    this.st.totalTimeMs = now() - t0;
    this.resolveDone(this.status());
  }
}

export function incoming(machine: MachineLike, uri: string, opts?: IncomingOptions): IncomingJob {
  return new IncomingJob(machine, uri, opts);
}
