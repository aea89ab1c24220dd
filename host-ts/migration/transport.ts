// Migration URIs (QEMU syntax) and the sockets under them: tcp:HOST:PORT, unix:PATH, file:PATH,
// and `defer` for -incoming (the URI comes later, QMP migrate-incoming).
import * as net from 'node:net';

export type MigrationUri =
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'unix'; path: string }
  | { kind: 'file'; path: string }
  | { kind: 'defer' };

/** Parses a migration URI; errors say what was expected. */
export function parseMigrationUri(uri: string): MigrationUri {
  if (uri === 'defer') return { kind: 'defer' };
  const colon = uri.indexOf(':');
  const scheme = colon < 0 ? uri : uri.slice(0, colon);
  const rest = colon < 0 ? '' : uri.slice(colon + 1);
  switch (scheme) {
    case 'tcp': {
      const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/.exec(rest);
      const port = m ? Number(m[3]) : NaN;
      if (!m || !(port >= 0 && port <= 65535)) throw new Error(`invalid migration URI '${uri}': expected tcp:HOST:PORT`);
      return { kind: 'tcp', host: m[1] ?? (m[2] || '0.0.0.0'), port };
    }
    case 'unix':
    case 'file':
      if (!rest) throw new Error(`invalid migration URI '${uri}': expected ${scheme}:PATH`);
      return { kind: scheme, path: rest };
    default:
      throw new Error(`invalid migration URI '${uri}': expected tcp:HOST:PORT, unix:PATH, file:PATH or defer`);
  }
}

export function formatMigrationUri(u: MigrationUri): string {
  switch (u.kind) {
    case 'tcp': return `tcp:${u.host.includes(':') ? `[${u.host}]` : u.host}:${u.port}`;
    case 'unix': return `unix:${u.path}`;
    case 'file': return `file:${u.path}`;
    case 'defer': return 'defer';
  }
}

/** Connects to a listening destination. */
export function connectMigration(u: MigrationUri): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const opts: net.NetConnectOpts = u.kind === 'tcp' ? { host: u.host, port: u.port }
      : u.kind === 'unix' ? { path: u.path }
      : (() => { throw new Error(`cannot connect to a ${u.kind} migration URI`); })();
    const s = net.connect(opts);
    s.once('connect', () => {
      s.off('error', reject);
      if (u.kind === 'tcp') s.setNoDelay(true);
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Listens for one incoming migration; resolves with the server and the URI it really listens on (port 0 -> actual). */
export function listenMigration(u: MigrationUri): Promise<{ server: net.Server; uri: string }> {
  return new Promise((resolve, reject) => {
    const server = net.createServer({ pauseOnConnect: false });
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      const a = server.address();
      const uri = u.kind === 'tcp' && a && typeof a === 'object' ? formatMigrationUri({ kind: 'tcp', host: u.host, port: a.port }) : formatMigrationUri(u);
      resolve({ server, uri });
    };
    if (u.kind === 'tcp') server.listen(u.port, u.host, done);
    else if (u.kind === 'unix') server.listen(u.path, done);
    else reject(new Error(`cannot listen on a ${u.kind} migration URI`));
  });
}
