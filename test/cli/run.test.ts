// The command's run path: netdevs opened and wired to the NICs of the machine, QMP monitors,
// the guest run to power-off. Uses the prebuilt bare-metal guests.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import dgram from 'node:dgram';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../host-ts/cli/main.js';
import { readFdt } from '../../host-ts/devtree/fdt-reader.js';

const GUESTS = fileURLToPath(new URL('../../guests/prebuilt/', import.meta.url));
const HELLO = join(GUESTS, 'hello-be.bin');
let dir = '';
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = ''; });
const tmp = (name: string) => { if (!dir) dir = mkdtempSync(join(tmpdir(), 'pw-run-')); return join(dir, name); };

async function run(line: string[]): Promise<{ rc: number; err: string; out: string }> {
  let err = '';
  let out = '';
  const rc = await main(line, { stdout: (s) => { out += s; }, stderr: (s) => { err += s; } });
  return { rc, err, out };
}

describe('pseries-wasm run', () => {
  it('runs the guest to power-off with a NIC wired to a UDP netdev; console to a file', async () => {
    const con = tmp('console.txt');
    const r = await run(['-M', 'pseries', '-nodefaults', '-bios', HELLO, '-serial', `file:${con}`,
      '-netdev', 'socket,id=n0,udp=127.0.0.1:9,localaddr=127.0.0.1:0', '-device', 'spapr-vlan,netdev=n0']);
    expect(r.err).toBe('');
    expect(r.rc).toBe(0);
    const text = readFileSync(con, 'utf8');
    expect(text).toContain('hello from a big-endian guest (-bios)');
    expect(text).toMatch(/fdt: \/vdevice\/l-lan@7100000[0-9a-f] compatible IBM,l-lan/);
    expect(text).toContain('powering off');
  });

  it('dumpdtb: the NICs of the command line are in the tree; unwired ones warn like QEMU', async () => {
    const dtb = tmp('m.dtb');
    const r = await run(['-M', `pseries,dumpdtb=${dtb}`, '-nodefaults', '-bios', HELLO,
      '-netdev', 'socket,id=n0,udp=127.0.0.1:9,localaddr=127.0.0.1:0', '-device', 'spapr-vlan,netdev=n0,mac=52:54:00:aa:00:01,reg=0x71000010',
      '-netdev', 'in-process,id=spare', '-device', 'spapr-vlan']);
    // (The automatic unit address depends on which default devices the machine creates.)
    expect(r.err).toMatch(/^pseries-wasm: warning: nic l-lan@7100000[0-9a-f] has no peer\npseries-wasm: warning: netdev spare has no peer\n$/);
    expect(r.rc).toBe(0);
    const root = readFdt(new Uint8Array(readFileSync(dtb))).root;
    expect([...(root.find('/vdevice/l-lan@71000010')!.props.get('local-mac-address') as Uint8Array)])
      .toEqual([0x52, 0x54, 0x00, 0xaa, 0x00, 0x01]);
  });

  it('a busy UDP port: one line naming the netdev, exit 1', async () => {
    const s = dgram.createSocket('udp4');
    await new Promise<void>((ok) => s.bind(0, '127.0.0.1', () => ok()));
    const r = await run(['-nodefaults', '-bios', HELLO,
      '-netdev', `socket,id=n0,udp=127.0.0.1:9,localaddr=127.0.0.1:${s.address().port}`, '-device', 'spapr-vlan,netdev=n0']);
    s.close();
    expect(r.rc).toBe(1);
    expect(r.err).toBe("pseries-wasm: netdev n0: can't bind ip=127.0.0.1 to socket: Address already in use\n");
  });

  it('a missing kernel file: one line, exit 1', async () => {
    const r = await run(['-nodefaults', '-kernel', '/nonexistent/vmlinux']);
    expect(r.rc).toBe(1);
    expect(r.err).toMatch(/^pseries-wasm: could not load kernel '\/nonexistent\/vmlinux': ENOENT/);
  });

  it('-S with -qmp: waits in prelaunch until cont, then runs to power-off', async () => {
    const sock = tmp('qmp.sock');
    const con = tmp('console.txt');
    const done = run(['-nodefaults', '-S', '-qmp', `unix:${sock},server=on,wait=off`, '-bios', HELLO, '-serial', `file:${con}`]);
    // Connect once the socket exists.
    let c: net.Socket | undefined;
    for (let i = 0; i < 200 && !c; i++) {
      try {
        c = await new Promise<net.Socket>((ok, fail) => { const s = net.connect(sock, () => ok(s)); s.once('error', fail); });
      } catch {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    let got = '';
    c!.on('data', (d) => { got += d; });
    const lines = async (n: number) => {
      for (let i = 0; i < 500 && got.split('\n').filter(Boolean).length < n; i++) await new Promise((r) => setTimeout(r, 10));
      return got.split('\n').filter(Boolean).map((l) => JSON.parse(l));
    };
    await lines(1); // greeting
    c!.write('{"execute":"qmp_capabilities"}\n{"execute":"query-status"}\n');
    const l = await lines(3);
    expect(l[2].return.status).toBe('prelaunch');
    expect(readFileSync(con, 'utf8')).toBe('');
    c!.write('{"execute":"cont"}\n');
    const r = await done;
    c!.destroy();
    expect(r.rc).toBe(0);
    expect(readFileSync(con, 'utf8')).toContain('powering off');
  });

  it('-incoming defer without a QMP monitor is refused (nothing could start it); the rest: test/migration/cli.test.ts', async () => {
    const r = await run(['-nodefaults', '-incoming', 'defer']);
    expect(r.rc).toBe(1);
    expect(r.err).toBe('pseries-wasm: -incoming defer: needs a QMP monitor (-qmp) for migrate-incoming\n');
  });
});
