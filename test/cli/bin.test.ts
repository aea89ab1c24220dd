// The installed command as a user runs it: exit status and the one-line messages.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
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
});
