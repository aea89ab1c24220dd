// The command line (parsed by the CLI) to a booted machine: images, vtys on chardevs, NICs.
import { describe, expect, test } from 'vitest';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseArgs } from '../../host-ts/cli/parse-args.js';
import { bootFromConfig } from '../../host-ts/machine/boot-config.js';
import { HCALL } from '../../host-ts/layout/papr.js';

const HELLO = join(__dirname, '../../guests/prebuilt/hello-be.bin');
const KERNEL = join(__dirname, '../../guests/prebuilt/hello-le.elf');
const config = (args: string[]) => {
  const r = parseArgs(args);
  if (r.action !== 'run' || !r.config) throw new Error(`unexpected action ${r.action}`);
  return r.config;
};

describe('bootFromConfig', () => {
  test('-nodefaults -nographic -serial stdio -bios: one vty on stdio (output and input)', () => {
    const stdout = new PassThrough();
    const stdin = new PassThrough();
    const b = bootFromConfig(config(['-M', 'pseries', '-nodefaults', '-nographic', '-serial', 'stdio', '-bios', HELLO]), { stdout, stdin });
    const p = b.pseries;
    expect(p.vtys.map((v) => v.reg)).toEqual([0x71000000]);
    expect(p.machine.ramSize).toBe(512 << 20);
    expect(p.machine.cpu.getBig('nip')).toBe(0x100n);
    expect(p.machine.hcall(HCALL.H_PUT_TERM_CHAR, 0x71000000, 2, 0x6869000000000000n, 0).ret).toBe(0n);
    expect(stdout.read()?.toString()).toBe('hi');
    stdin.write('k');
    expect(p.vty!.canReceive()).toBe(15);
    b.close();
    stdin.write('z');
    expect(p.vty!.canReceive()).toBe(15); // detached
  });

  test('-m 1G -kernel -initrd -append, -serial file:, a spapr-vlan', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pseries-boot-'));
    try {
      const log = join(dir, 'console.txt');
      const b = bootFromConfig(config(['-M', 'pseries', '-m', '1G', '-nodefaults', '-serial', `file:${log}`, '-kernel', KERNEL,
        '-initrd', HELLO, '-append', 'console=hvc0', '-netdev', 'socket,id=n0,udp=127.0.0.1:1,localaddr=127.0.0.1:0', '-device', 'spapr-vlan,netdev=n0,mac=52:54:00:00:00:07']));
      const p = b.pseries;
      expect(p.machine.ramSize).toBe(1 << 30);
      expect(p.kernel!.littleEndian).toBe(true);
      expect(p.vlans.map((v) => v.reg)).toEqual([0x71000001]);
      expect([...p.vlans[0].permMac]).toEqual([0x52, 0x54, 0, 0, 0, 7]);
      expect(new TextDecoder().decode(p.tree.find('chosen')!.props.get('bootargs'))).toBe('console=hvc0\0');
      expect(p.machine.gpr(4)).toBe(BigInt(readFileSync(HELLO).length)); // r4 = initrd size
      p.machine.hcall(HCALL.H_PUT_TERM_CHAR, 0, 3, 0x6f6b0a0000000000n, 0);
      b.close();
      expect(readFileSync(log, 'latin1')).toBe('ok\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('missing files are reported with their role and path', () => {
    expect(() => bootFromConfig(config(['-M', 'pseries', '-nodefaults', '-bios', '/nonexistent/fw.bin']))).toThrow(/could not load firmware '\/nonexistent\/fw.bin'/);
  });
});
