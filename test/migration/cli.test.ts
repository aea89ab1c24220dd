// The command line: `pseries-wasm ... -incoming unix:PATH` on one side, QMP `migrate` on the other,
// with the veth driver guest counting a UDP test stream across the move (both commands in this
// process, talking over real sockets).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import dgram from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { main } from '../../host-ts/cli/main.js';
import { withVethArgs } from '../tools/veth-args.js';
import { streamFrame } from '../tools/frame-sender.js';
import { QmpTestClient } from '../qmp/qmp-test-client.js';
import { until as waitUntil } from '../support/until.js';

const dir = mkdtempSync(join(tmpdir(), 'pw-mig-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const at = (f: string) => join(dir, f);

async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((ok) => s.bind(0, '127.0.0.1', () => ok()));
  const p = s.address().port;
  await new Promise<void>((ok) => s.close(() => ok()));
  return p;
}

const until = (cond: () => boolean | Promise<boolean>, what: string, ms = 20_000) => waitUntil(cond, what, ms, 10);

const run = (line: string[]) => {
  let err = '';
  const rc = main(line, { stdout: () => {}, stderr: (s) => { err += s; } });
  return { rc, err: () => err };
};

for (const defer of [false, true]) test(`-incoming ${defer ? 'defer + QMP migrate-incoming' : 'unix:'}, QMP migrate: the guest keeps counting its stream on the destination`, async () => {
  // Own file names per run: a closing server of an earlier run unlinks its socket path late.
  const at = (f: string) => join(dir, `${defer ? 'd' : 'u'}-${f}`);
  const FRAMES = 40;
  writeFileSync(at('veth.bin'), withVethArgs(new Uint8Array(readFileSync(join(__dirname, '../../guests/prebuilt/veth-be.bin'))),
    `count=${FRAMES} pools=512x64,2048x64`));
  const [srcPort, dstPort] = [await freeUdpPort(), await freeUdpPort()];
  const common = (port: number, con: string) => ['-M', 'pseries', '-nodefaults', '-m', '256M', '-bios', at('veth.bin'), '-serial', `file:${at(con)}`,
    '-netdev', `socket,id=n0,udp=127.0.0.1:9,localaddr=127.0.0.1:${port}`, '-device', 'spapr-vlan,netdev=n0'];
  const dst = run([...common(dstPort, 'dst.txt'), ...(defer
    ? ['-incoming', 'defer', '-qmp', `unix:${at('dqmp.sock')},server=on,wait=off`]
    : ['-incoming', `unix:${at('mig.sock')}`])]);
  const src = run([...common(srcPort, 'src.txt'), '-qmp', `unix:${at('qmp.sock')},server=on,wait=off`]);
  const udp = dgram.createSocket('udp4');
  const send = (port: number, seq: number) => new Promise<void>((ok) => udp.send(streamFrame(64, seq), port, '127.0.0.1', () => ok()));
  try {
    await until(() => existsSync(at('src.txt')) && readFileSync(at('src.txt'), 'latin1').includes('veth: ready'), 'source guest ready')
      .catch((e) => { throw new Error(`${e.message}: src console ${existsSync(at('src.txt')) ? readFileSync(at('src.txt'), 'latin1') : '(none)'} err ${src.err()} dst err ${dst.err()}`); });
    for (let s = 0; s < FRAMES / 2; s++) await send(srcPort, s);
    await new Promise((r) => setTimeout(r, 200)); // let the source guest take them
    if (defer) {
      await until(() => existsSync(at('dqmp.sock')), 'destination QMP');
      const d = await QmpTestClient.connect(at('dqmp.sock'));
      await d.waitLines(1);
      await d.execute('qmp_capabilities');
      expect((await d.execute('query-status')).answer.return.status).toBe('inmigrate');
      expect((await d.execute('migrate-incoming', { uri: `unix:${at('mig.sock')}` })).answer).toEqual({ return: {} });
      expect((await d.execute('migrate-incoming', { uri: `unix:${at('mig.sock')}` })).answer)
        .toEqual({ error: { class: 'GenericError', desc: 'The incoming migration has already been started' } });
      d.socket.destroy();
    }
    await until(() => existsSync(at('mig.sock')), 'destination listening');
    const qmp = await QmpTestClient.connect(at('qmp.sock'));
    await qmp.waitLines(1);
    await qmp.execute('qmp_capabilities');
    expect((await qmp.execute('migrate', { uri: `unix:${at('mig.sock')}` })).answer).toEqual({ return: {} });
    await until(async () => (await qmp.execute('query-migrate')).answer.return.status === 'completed', 'migration completed');
    expect((await qmp.execute('query-status')).answer.return.status).toBe('postmigrate');
    for (let s = FRAMES / 2; s < FRAMES; s++) await send(dstPort, s);
    expect(await dst.rc).toBe(0); // the destination guest counted the whole stream and powered off
    expect(dst.err()).toBe('');
    const result = readFileSync(at('dst.txt'), 'latin1').split('\n').find((l) => l.startsWith('veth: mode=sink'));
    expect(result).toMatch(new RegExp(`^veth: mode=sink rx=${FRAMES} bytes=\\d+ stream=${FRAMES} gaps=0 dup=0 `));
    expect(readFileSync(at('src.txt'), 'latin1')).not.toContain('veth: mode=sink');
    await qmp.execute('quit');
    expect(await src.rc).toBe(0);
  } finally {
    udp.close();
  }
});

test('-incoming with a bad URI or a refused stream: one line, exit 1', async () => {
  const r = run(['-nodefaults', '-bios', join(__dirname, '../../guests/prebuilt/hello-be.bin'), '-incoming', 'exec:cat']);
  expect(await r.rc).toBe(1);
  expect(r.err()).toBe("pseries-wasm: -incoming: invalid migration URI 'exec:cat': expected tcp:HOST:PORT, unix:PATH, file:PATH or defer\n");
  writeFileSync(at('junk.bin'), Buffer.from('not a migration stream at all'));
  const j = run(['-nodefaults', '-bios', join(__dirname, '../../guests/prebuilt/hello-be.bin'), '-incoming', `file:${at('junk.bin')}`]);
  expect(await j.rc).toBe(1);
  expect(j.err()).toBe('pseries-wasm: load of migration failed: header.magic: 0x6e6f7420 is not a pseries-wasm migration stream (expected 0x5053574d)\n');
});
