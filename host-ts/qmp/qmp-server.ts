// A QMP monitor on a listening socket (one per -qmp option, like QEMU). One client at a time:
// later connections wait, unanswered, until the current client leaves, then get their greeting
// (what QEMU's chardev does). Events from the target go to the current client.
import net from 'node:net';
import fs from 'node:fs';
import { EventEmitter } from 'node:events';
import { StringDecoder } from 'node:string_decoder';
import { QmpSession } from './qmp-session.js';
import type { QmpVersion } from './qmp-commands.js';
import type { QmpTarget } from './qmp-target.js';
import { fromQmpConfig, parseSocketAddress, type SocketAddress } from './qmp-address.js';
import type { QmpConfig } from '../config/machine-config.js';

/** What query-version reports: the QEMU release whose QMP we follow, and our package name. */
export const DEFAULT_VERSION: QmpVersion = { major: 7, minor: 2, micro: 0, package: 'pseries-wasm 0.1.0' };

/** How long close() waits for a client to take the last answers before dropping it. */
const CLOSE_FLUSH_MS = 1000;

export interface QmpServerOptions {
  target: QmpTarget;
  version?: QmpVersion;
}

/**
 * Events: 'client' (a client got its greeting), 'disconnect', 'quit' (after `quit` was answered
 * and every socket closed; the CLI exits the process here), 'error'.
 */
export class QmpServer extends EventEmitter {
  private server?: net.Server;
  private address?: SocketAddress;
  private active?: { socket: net.Socket; session: QmpSession };
  private readonly waiting: net.Socket[] = [];
  private readonly unsubscribe: () => void;
  private closing = false;

  constructor(private readonly opts: QmpServerOptions) {
    super();
    this.unsubscribe = opts.target.onEvent((e) => this.active?.session.event(e));
  }

  /** Listens on `spec` (a -qmp value or a parsed address). With wait=on, resolves once a client has connected. */
  async listen(spec: string | SocketAddress): Promise<void> {
    const addr = typeof spec === 'string' ? parseSocketAddress(spec) : spec;
    if (this.server) throw new Error('QMP server already listening');
    const server = net.createServer((s) => this.accept(s));
    this.server = server;
    this.address = addr;
    if (addr.kind === 'unix') removeStaleSocket(addr.path);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      const done = () => {
        server.off('error', reject);
        server.on('error', (e) => this.emit('error', e));
        resolve();
      };
      if (addr.kind === 'unix') server.listen(addr.path, done);
      else server.listen(addr.port, addr.host, done);
    });
    if (addr.wait) await new Promise((r) => this.once('client', r));
  }

  /** The bound TCP port (useful with port 0), or the Unix socket path. */
  get boundAddress(): string | number | undefined {
    const a = this.server?.address();
    if (a && typeof a === 'object') return a.port;
    return a ?? undefined;
  }

  /** Runs QMP over an already connected stream (tests, in-process pipes); same queueing rules. */
  accept(socket: net.Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    socket.on('error', () => socket.destroy()); // a client vanishing is not our error
    if (this.active) {
      socket.pause();
      this.waiting.push(socket);
      socket.once('close', () => {
        const i = this.waiting.indexOf(socket);
        if (i >= 0) this.waiting.splice(i, 1);
      });
      return;
    }
    this.activate(socket);
  }

  private activate(socket: net.Socket): void {
    const decoder = new StringDecoder('utf8');
    const session = new QmpSession({
      target: this.opts.target,
      version: this.opts.version ?? DEFAULT_VERSION,
      write: (line) => {
        if (socket.destroyed) return;
        // A client that does not read its answers stops being read (its requests wait in the kernel).
        if (!socket.write(line) && !socket.isPaused()) {
          socket.pause();
          socket.once('drain', () => socket.resume());
        }
      },
      onQuit: () => void this.quit(),
    });
    this.active = { socket, session };
    socket.on('data', (d: Buffer) => session.input(decoder.write(d)));
    socket.once('close', () => {
      session.close();
      if (this.active?.socket === socket) this.active = undefined;
      this.emit('disconnect');
      this.next();
    });
    socket.resume();
    session.greeting();
    this.emit('client');
  }

  private next(): void {
    while (!this.active && !this.closing) {
      const s = this.waiting.shift();
      if (!s) return;
      if (!s.destroyed) this.activate(s);
    }
  }

  private async quit(): Promise<void> {
    const s = this.active?.socket;
    if (s && !s.destroyed) await new Promise<void>((r) => s.end(r));
    await this.close();
    this.emit('quit');
  }

  /** Stops listening, drops every client, removes the Unix socket file. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.unsubscribe();
    for (const s of this.waiting.splice(0)) s.destroy();
    const active = this.active?.socket;
    if (active && !active.destroyed) {
      // Flush what was answered (e.g. quit's return), then close; a client that does not read loses it.
      await new Promise<void>((r) => {
        const t = setTimeout(() => active.destroy(), CLOSE_FLUSH_MS);
        active.once('close', () => {
          clearTimeout(t);
          r();
        });
        active.end();
      });
    }
    const server = this.server;
    if (server) await new Promise<void>((r) => server.close(() => r()));
    if (this.address?.kind === 'unix') removeStaleSocket(this.address.path);
  }
}

/** QEMU unlinks an old socket at the path before binding; we only remove sockets, never other files. */
function removeStaleSocket(path: string): void {
  try {
    if (fs.lstatSync(path).isSocket()) fs.unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
}

/**
 * One server per -qmp option, as QEMU makes one monitor each. With wait=on this resolves only
 * after a client connected to that socket (QEMU blocks start-up the same way).
 */
export async function startQmpServers(configs: readonly (QmpConfig | SocketAddress | string)[], opts: QmpServerOptions): Promise<QmpServer[]> {
  const servers: QmpServer[] = [];
  try {
    for (const c of configs) {
      const s = new QmpServer(opts);
      servers.push(s);
      await s.listen(typeof c === 'string' || 'kind' in c ? c : fromQmpConfig(c));
    }
  } catch (e) {
    await Promise.all(servers.map((s) => s.close()));
    throw e;
  }
  return servers;
}
