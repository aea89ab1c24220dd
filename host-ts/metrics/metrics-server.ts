// The optional `-metrics tcp:[HOST:]PORT` endpoint: GET /metrics answers the registry's text.
import http from 'node:http';
import { CONTENT_TYPE } from './exposition.js';
import type { MetricsRegistry } from './registry.js';
import { parseSocketAddress, type SocketAddress } from '../qmp/qmp-address.js';

export interface MetricsServer {
  /** The bound TCP port (useful when asked for port 0). */
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on `spec` ("tcp:9100" = loopback, "tcp:0.0.0.0:9100", or a unix: path). */
export async function startMetricsServer(registry: MetricsRegistry, spec: string | SocketAddress): Promise<MetricsServer> {
  const addr = typeof spec === 'string' ? parseSocketAddress(spec, false) : spec;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found: scrape /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    let body: string;
    try {
      body = registry.expose();
    } catch (e) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`metrics collection failed: ${(e as Error).message}\n`);
      return;
    }
    res.writeHead(200, { 'Content-Type': CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body) });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (addr.kind === 'unix') server.listen(addr.path, done);
    else server.listen(addr.port, addr.host, done);
  });
  const a = server.address();
  return {
    port: a && typeof a === 'object' ? a.port : 0,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
