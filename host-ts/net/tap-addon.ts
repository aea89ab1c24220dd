// Loads the native TAP addon (bindings/) on first use, so that only TAP users need it built.
import { createRequire } from 'node:module';

export interface TapHandle {
  readonly name: string;
  readonly fd: number;
  /** UDP channel: the bound local port. */
  readonly localPort: number;
  /** UDP channel: SO_RCVBUF as the kernel reports it. */
  readonly recvBuffer: number;
  start(onReadable: (err?: string) => void): void;
  stop(): void;
  readBatch(dst: Uint8Array, lens: Uint32Array): number;
  /** UDP channel: up to lens.length datagrams in one recvmmsg, datagram i at dst[i * UDP_SLOT]. */
  recvBatch(dst: Uint8Array, lens: Uint32Array): number;
  write(frame: Uint8Array): boolean;
  close(): void;
}

export interface TapAddon {
  /** A TAP device by name, or a bound IPv4 UDP socket (one datagram = one frame). */
  Tap: new (what: string | UdpChannelArgs) => TapHandle;
  /** Free space readBatch needs for one more frame. */
  MAX_FRAME: number;
  /** recvBatch's room per datagram (the largest UDP payload fits). */
  UDP_SLOT: number;
}

export interface UdpChannelArgs {
  udp: true;
  localHost: string;
  localPort: number;
  remoteHost: string;
  remotePort: number;
  /** SO_RCVBUF bytes to ask for (0 or absent: the system default). */
  recvBuffer?: number;
}

let addon: TapAddon | undefined;

/** The addon, or undefined when it is not built (callers with a portable fallback). */
export function tryLoadTapAddon(): TapAddon | undefined {
  try {
    return loadTapAddon();
  } catch {
    return undefined;
  }
}

export function loadTapAddon(): TapAddon {
  if (addon) return addon;
  const require = createRequire(import.meta.url);
  try {
    addon = require('../../bindings/build/Release/tap.node') as TapAddon;
  } catch (e) {
    throw new Error('the TAP addon is not built (run `npm run build:addon`; it needs g++, make and ' +
      `Node's headers): ${(e as Error).message.split('\n')[0]}`);
  }
  return addon;
}
