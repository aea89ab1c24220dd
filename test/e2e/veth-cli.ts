// Runs the veth guest (guests/veth) under `node bin/pseries-wasm.js` or qemu-system-ppc64 with the
// same QEMU command line, its spapr-vlan on a UDP socket of ours (QEMU's socket backend: one
// datagram = one frame). Shared by the end-to-end tests and bench/net-guest.ts, so both
// emulators see the same image, bootargs and sender. VETH_NODE_FLAGS adds Node flags to the
// pseries-wasm process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a bench run).
import { spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:dgram';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openUdp } from '../tools/frame-sender.js';
import { freeUdpPort, PREBUILT } from '../tools/veth-qemu.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(REPO, 'bin', 'pseries-wasm.js');

export type Emulator = 'pseries-wasm' | 'qemu';

export interface VethRunOptions {
  emulator: Emulator;
  image?: string;               // file in guests/prebuilt, default veth-be.elf
  pools: 'on' | 'off';
  append: string;               // guest bootargs (guests/README.md "veth")
  /** Extra spapr-vlan properties, e.g. 'rx-nofit-timeout=1000'. */
  deviceProps?: string;
  /** Extra QEMU-syntax options (e.g. -object filter-dump,...). */
  extra?: string[];
  /** Replaces the UDP -netdev (then `sock` is undefined), e.g. a tap netdev. */
  netdev?: string;
  /** Run the command under this prefix (e.g. ['ip', 'netns', 'exec', NS]). */
  prefix?: string[];
  timeoutMs?: number;
}

export interface VethRun {
  /** Resolves when the guest printed `veth: ready` (buffers posted). */
  ready: Promise<void>;
  /** Resolves with hrtime (ns) when the result line appeared. */
  resultAt: Promise<bigint>;
  /** Console once the emulator exited with status 0 (rejects otherwise, or after timeoutMs). */
  exit: Promise<string>;
  /** Our end of the UDP backend, connected to the emulator's (absent with `netdev`). */
  sock?: Socket;
  child: ChildProcess;
  /** Types on the guest console (-serial stdio); `q` ends the guest's receive loop. */
  type(s: string): void;
}

/** The same QEMU command line for both emulators (the pseries-wasm CLI takes QEMU's syntax). */
export function vethArgs(o: VethRunOptions, netdev: string): string[] {
  return ['-M', 'pseries,x-vof=on', '-m', '512M', '-nodefaults', '-nographic', '-serial', 'stdio',
    '-kernel', join(PREBUILT, o.image ?? 'veth-be.elf'), '-append', o.append,
    '-netdev', netdev, '-device', `spapr-vlan,netdev=n0,use-rx-buffer-pools=${o.pools}${o.deviceProps ? `,${o.deviceProps}` : ''}`,
    ...(o.extra ?? [])];
}

export async function runVeth(o: VethRunOptions): Promise<VethRun> {
  let sock: Socket | undefined;
  let netdev = o.netdev;
  if (netdev === undefined) {
    const emuPort = await freeUdpPort();
    sock = await openUdp('127.0.0.1:0');
    const toolPort = sock.address().port;
    await new Promise<void>((r) => sock!.connect(emuPort, '127.0.0.1', () => r()));
    netdev = `socket,id=n0,udp=127.0.0.1:${toolPort},localaddr=127.0.0.1:${emuPort}`;
  }
  const cmd = o.emulator === 'qemu' ? ['qemu-system-ppc64'] : [process.execPath, ...(process.env.VETH_NODE_FLAGS ? process.env.VETH_NODE_FLAGS.split(' ') : []), CLI];
  const argv = [...(o.prefix ?? []), ...cmd, ...vethArgs(o, netdev)];
  const child = spawn(argv[0]!, argv.slice(1), { cwd: REPO, stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let onReady: () => void = () => {};
  let onResult: (t: bigint) => void = () => {};
  const ready = new Promise<void>((r) => { onReady = r; });
  const resultAt = new Promise<bigint>((r) => { onResult = r; });
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString('latin1');
    if (out.includes('veth: ready')) onReady();
    if (out.includes('veth: mode=')) onResult(process.hrtime.bigint());
  });
  child.stderr!.on('data', (d: Buffer) => { err += d.toString('latin1'); });
  const exit = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error(`${o.emulator} timed out:\n${out}\n${err}`)); }, o.timeoutMs ?? 40_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${o.emulator} exit ${code}:\n${out}\n${err}`));
    });
  });
  exit.catch(() => {}); // observed by the caller; avoid an unhandled rejection while it awaits `ready`
  return { ready, resultAt, exit, sock, child, type: (s) => { child.stdin!.write(s); } };
}
