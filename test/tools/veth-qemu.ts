// Runs the veth guest (guests/veth) on qemu-system-ppc64 with its spapr-vlan on a UDP socket of
// ours, and parses the guest's result line. For the reference tests and the QEMU side of benchmarks.
import { spawn, spawnSync } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openUdp } from './frame-sender.js';

export const PREBUILT = fileURLToPath(new URL('../../guests/prebuilt', import.meta.url));

export function hasQemu(): boolean {
  return spawnSync('qemu-system-ppc64', ['--version']).status === 0;
}

export async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const p = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return p;
}

export interface QemuGuest {
  /** Resolves when the guest printed `veth: ready` (buffers posted). */
  ready: Promise<void>;
  /** Console output once QEMU exited with status 0 (rejects otherwise, or after timeoutMs). */
  exit: Promise<string>;
  /** Our end of the UDP socket backend, connected to QEMU's. */
  sock: Socket;
}

export interface QemuVethOptions {
  image?: string;              // -kernel ELF, relative to guests/prebuilt (or absolute); default veth-be.elf
  pools: 'on' | 'off';
  append: string;              // bootargs (guests/README.md)
  timeoutMs?: number;
  memory?: string;             // -m, default 512M
}

/** Boots the guest with `-kernel IMAGE -append ARGS` (x-vof=on so it reads the tree through the client interface). */
export async function bootVethOnQemu(o: QemuVethOptions): Promise<QemuGuest> {
  const qemuPort = await freeUdpPort();
  const sock = await openUdp('127.0.0.1:0');
  const toolPort = sock.address().port;
  await new Promise<void>((r) => sock.connect(qemuPort, '127.0.0.1', () => r()));
  const q = spawn('qemu-system-ppc64', [
    '-M', 'pseries,x-vof=on', '-m', o.memory ?? '512M', '-nodefaults', '-nographic', '-serial', 'stdio',
    '-kernel', resolve(PREBUILT, o.image ?? 'veth-be.elf'), '-append', o.append,
    '-netdev', `socket,id=n0,udp=127.0.0.1:${toolPort},localaddr=127.0.0.1:${qemuPort}`,
    '-device', `spapr-vlan,netdev=n0,use-rx-buffer-pools=${o.pools}`,
  ], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((r) => { onReady = r; });
  q.stdout.on('data', (d: Buffer) => { out += d.toString('latin1'); if (out.includes('veth: ready')) onReady(); });
  const exit = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { q.kill(); reject(new Error(`guest timed out:\n${out}`)); }, o.timeoutMs ?? 40_000);
    q.on('exit', (code) => { clearTimeout(timer); code === 0 ? resolve(out) : reject(new Error(`qemu exit ${code}:\n${out}`)); });
  });
  return { ready, exit, sock };
}

/** The `veth: mode=...` result line as key -> number (mode -> string). */
export function parseVethResult(consoleText: string): Record<string, number | string> {
  const line = consoleText.split('\n').find((l) => l.startsWith('veth: mode='));
  if (!line) throw new Error(`no veth result line in:\n${consoleText}`);
  const r: Record<string, number | string> = {};
  for (const kv of line.slice('veth: '.length).trim().split(' ')) {
    const [k, v] = kv.split('=');
    if (k === undefined || v === undefined) throw new Error(`bad result field ${kv}`);
    r[k] = /^\d+$/.test(v) ? Number(v) : v;
  }
  return r;
}
