// -netdev config -> an open backend. The TAP addon is loaded only when a tap netdev is asked for.
import type { NetdevConfig } from '../config/machine-config.js';
import type { NetBackend } from './net-port.js';
import { UdpBackend } from './udp-backend.js';
import { StreamBackend } from './stream-backend.js';
import { InProcessBackend } from './in-process-backend.js';
import { withFilterDump } from './filter-dump.js';

export interface CreateBackendOptions {
  log?: (msg: string) => void;
}

export async function createNetBackend(cfg: NetdevConfig, opts: CreateBackendOptions = {}): Promise<NetBackend> {
  switch (cfg.type) {
    case 'udp':
      return UdpBackend.open({ id: cfg.id, local: cfg.local, remote: cfg.remote, log: opts.log });
    case 'stream':
      return StreamBackend.open({ id: cfg.id, server: cfg.server, addr: cfg.addr, log: opts.log });
    case 'in-process':
      return new InProcessBackend({ id: cfg.id });
    case 'tap': {
      const { TapBackend } = await import('./tap-backend.js');
      return TapBackend.open({ id: cfg.id, ifname: cfg.ifname, log: opts.log });
    }
  }
}

export interface Netdevs {
  /** The backends as created (in-process ones offer send()/frames() here). */
  readonly backends: Map<string, NetBackend>;
  /** What each NIC attaches to: the backend with its filter-dumps applied. */
  readonly forNic: Map<string, NetBackend>;
  closeAll(): Promise<void>;
}

/**
 * Opens every -netdev and wraps it in its -object filter-dump(s). If one fails, the ones
 * already open are closed before the error is rethrown (nothing is left bound).
 */
export async function openNetdevs(
  netdevs: readonly NetdevConfig[],
  filterDumps: readonly { netdev: string; file: string; maxlen: number }[] = [],
  opts: CreateBackendOptions = {},
): Promise<Netdevs> {
  const backends = new Map<string, NetBackend>();
  const forNic = new Map<string, NetBackend>();
  const closeAll = async () => {
    for (const b of forNic.values()) await b.close();
  };
  try {
    for (const cfg of netdevs) {
      const b = await createNetBackend(cfg, opts);
      backends.set(cfg.id, b);
      forNic.set(cfg.id, b);
    }
    for (const f of filterDumps) {
      const b = forNic.get(f.netdev);
      if (!b) throw new Error(`filter-dump: no netdev '${f.netdev}'`);
      forNic.set(f.netdev, withFilterDump(b, { file: f.file, maxlen: f.maxlen }));
    }
  } catch (e) {
    for (const b of backends.values()) await b.close();
    throw e;
  }
  return { backends, forNic, closeAll };
}
