// Parses a -qmp / -metrics socket specification with QEMU's chardev syntax:
//   unix:PATH,server=on,wait=off   (old spelling: unix:PATH,server,nowait)
//   tcp:HOST:PORT,server=on,wait=off   (tcp::PORT or tcp:PORT listen on all / loopback, see below)

import type { QmpConfig } from '../config/machine-config.js';

export type SocketAddress =
  | { kind: 'unix'; path: string; wait: boolean }
  | { kind: 'tcp'; host: string; port: number; wait: boolean };

export class AddressError extends Error {
  constructor(msg: string) {
    super(msg);
    this.name = 'AddressError';
  }
}

function onOff(name: string, v: string): boolean {
  if (v === 'on' || v === 'yes' || v === 'true') return true;
  if (v === 'off' || v === 'no' || v === 'false') return false;
  throw new AddressError(`Parameter '${name}' expects 'on' or 'off'`);
}

function parsePort(s: string, spec: string): number {
  if (!/^[0-9]+$/.test(s) || Number(s) > 65535) throw new AddressError(`invalid port '${s}' in '${spec}'`);
  return Number(s);
}

/**
 * `tcp:HOST:PORT` (HOST may be [v6]); `tcp::PORT` listens on all interfaces like QEMU;
 * `tcp:PORT` (a -metrics shorthand) listens on loopback only.
 */
function parseTcp(rest: string, spec: string): { host: string; port: number } {
  const v6 = /^\[([^\]]+)\]:([^:]*)$/.exec(rest);
  if (v6) return { host: v6[1], port: parsePort(v6[2], spec) };
  const i = rest.lastIndexOf(':');
  if (i < 0) return { host: '127.0.0.1', port: parsePort(rest, spec) };
  const host = rest.slice(0, i);
  return { host: host === '' ? '0.0.0.0' : host, port: parsePort(rest.slice(i + 1), spec) };
}

/** `requireServer`: -qmp needs server mode (we do not connect out). */
export function parseSocketAddress(spec: string, requireServer = true): SocketAddress {
  const [head, ...opts] = spec.split(',');
  let server = !requireServer;
  let wait = true; // QEMU's default for a server socket
  for (const o of opts) {
    const eq = o.indexOf('=');
    const key = eq < 0 ? o : o.slice(0, eq);
    const val = eq < 0 ? undefined : o.slice(eq + 1);
    if (key === 'server') server = val === undefined ? true : onOff(key, val);
    else if (key === 'nowait' && val === undefined) wait = false;
    else if (key === 'wait') wait = val === undefined ? true : onOff(key, val);
    else throw new AddressError(`Invalid parameter '${key}' in '${spec}'`);
  }
  if (!server) throw new AddressError(`'${spec}': only server=on sockets are supported`);
  if (head.startsWith('unix:')) {
    const path = head.slice(5);
    if (!path) throw new AddressError(`'${spec}': missing socket path`);
    return { kind: 'unix', path, wait };
  }
  if (head.startsWith('tcp:')) return { kind: 'tcp', ...parseTcp(head.slice(4), spec), wait };
  throw new AddressError(`'${spec}': expected unix:PATH or tcp:HOST:PORT`);
}

/** The CLI's parsed -qmp option (host-ts/config/machine-config.ts QmpConfig) as a listen address. */
export function fromQmpConfig(cfg: QmpConfig): SocketAddress {
  if (!cfg.server) throw new AddressError('only server=on QMP sockets are supported');
  return cfg.addr.type === 'unix'
    ? { kind: 'unix', path: cfg.addr.path, wait: cfg.wait }
    : { kind: 'tcp', host: cfg.addr.host === '' ? '0.0.0.0' : cfg.addr.host, port: cfg.addr.port, wait: cfg.wait };
}
