// The installed command as a user runs it: exit status and the one-line messages.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/pseries-wasm.js', import.meta.url));
const run = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 30_000 });

describe('bin/pseries-wasm.js', () => {
  it('--help prints usage, exit 0', () => {
    const r = run('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: pseries-wasm \[options\]/);
    expect(r.stdout).toContain('-device spapr-vlan,netdev=ID');
  });
  it('--version', () => {
    const r = run('--version');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^pseries-wasm \d+\.\d+\.\d+ /);
  });
  it('an unknown option: one line naming it, exit 1', () => {
    const r = run('-M', 'pseries', '-frobnicate');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('pseries-wasm: -frobnicate: invalid option\n');
    expect(r.stdout).toBe('');
  });
  it('runs a guest on the console (-nographic) and exits at power-off though stdin stays open', async () => {
    const guest = fileURLToPath(new URL('../../guests/prebuilt/hello-be.bin', import.meta.url));
    const child = spawn(process.execPath, [BIN, '-nographic', '-bios', guest], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    const code = await new Promise<number | null>((ok) => child.once('exit', ok));
    child.stdin.destroy();
    expect(code).toBe(0);
    expect(out).toContain('hello from a big-endian guest (-bios)');
    expect(out.trimEnd().endsWith('powering off')).toBe(true);
  });

  it('--dump-config prints the config, warnings on stderr', () => {
    const r = run('-M', 'pseries,ic-mode=xics', '-m', '1G', '-netdev', 'in-process,id=n', '-device', 'spapr-vlan,netdev=n', '--dump-config');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('pseries-wasm: warning: -machine ic-mode=xics: ignored (no effect on this emulator)\n');
    const c = JSON.parse(r.stdout);
    expect(c.ramSize).toBe(2 ** 30);
    expect(c.nics).toEqual([{ netdev: 'n', mac: '52:54:00:12:34:56', useRxBufferPools: true }]);
  });
  const GUESTS = fileURLToPath(new URL('../../guests/prebuilt/', import.meta.url));
  const QEMU_OUT = fileURLToPath(new URL('../boot/data/', import.meta.url));

  it('boots hello-le.elf with a QEMU command line, prints what QEMU prints, exits 0 at power-off', () => {
    const r = run('-M', 'pseries', '-nodefaults', '-nographic', '-serial', 'stdio', '-kernel', join(GUESTS, 'hello-le.elf'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const qemu = readFileSync(join(QEMU_OUT, 'qemu-hello-le.elf.out'), 'latin1').split('\n').filter((l) => !l.includes('/vdevice/nvram@')).join('\n');
    expect(r.stdout).toBe(qemu);
  });

  it('-netdev in-process + spapr-vlan + filter-dump + -qmp: the machine runs with them and cleans up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-run-'));
    const sock = join(dir, 'q.sock');
    const r = run('-M', 'pseries', '-nodefaults', '-nographic', '-serial', 'stdio', '-bios', join(GUESTS, 'hello-be.bin'),
      '-netdev', 'in-process,id=n0', '-device', 'spapr-vlan,netdev=n0,id=lan0', '-object', `filter-dump,id=d0,netdev=n0,file=${join(dir, 'd.pcap')}`,
      '-qmp', `unix:${sock},server=on,wait=off`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('fdt: /vdevice/l-lan@71000001 compatible IBM,l-lan\n');
    expect(r.stdout.endsWith('powering off\n')).toBe(true);
    expect(readFileSync(join(dir, 'd.pcap')).length).toBe(24); // pcap header, the guest sent nothing
    expect(existsSync(sock)).toBe(false);
  });

  it('a missing kernel: one line naming it, exit 1', () => {
    const r = run('-M', 'pseries', '-nodefaults', '-kernel', '/nonexistent/vmlinux');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^pseries-wasm: could not load kernel '\/nonexistent\/vmlinux': ENOENT/);
  });
  it('SIGINT: the machine stops, "terminating on signal 2", exit 0 (as QEMU)', async () => {
    const child = spawn(process.execPath, [BIN, '-nodefaults', '-nographic', '-serial', 'stdio', '-bios', join(GUESTS, 'echo-be.bin')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    for (let i = 0; i < 1000 && !out.includes("'q' ends"); i++) await new Promise((r) => setTimeout(r, 10));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((ok) => child.once('exit', ok));
    expect(code).toBe(0);
    expect(err).toBe('pseries-wasm: terminating on signal 2\n');
  });
});
