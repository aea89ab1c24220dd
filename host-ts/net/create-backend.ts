// -netdev config -> an open backend. The TAP addon is loaded only when a tap netdev is asked for.
import type { NetdevConfig } from '../config/machine-config.js';
import type { NetBackend } from './net-port.js';
import { UdpBackend } from './udp-backend.js';
import { StreamBackend } from './stream-backend.js';
import { InProcessBackend } from './in-process-backend.js';

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
