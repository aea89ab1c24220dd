// Records what a real QEMU answers to the QMP inputs in test/qmp/fixtures/*.inputs.json, for the
// conformance test (test/qmp/qemu-conformance.test.ts). Needs qemu-system-ppc64 (7.2 recorded).
//   npx tsx scripts/record-qmp-fixture.ts [name...]
// The inputs go out in one write: sent one packet at a time, QEMU 7.2 sometimes leaves error
// answers unsent until later input arrives, which makes transcripts unstable.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const dir = path.join(import.meta.dirname, '..', 'test', 'qmp', 'fixtures');
const names = process.argv.slice(2).length ? process.argv.slice(2)
  : fs.readdirSync(dir).filter((f) => f.endsWith('.inputs.json')).map((f) => f.replace('.inputs.json', ''));

async function record(name: string): Promise<void> {
  const inputs: string[] = JSON.parse(fs.readFileSync(path.join(dir, `${name}.inputs.json`), 'utf8'));
  const sock = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'qmp-rec-')), 'q.sock');
  const qemu = spawn('qemu-system-ppc64', ['-M', 'pseries', '-m', '256', '-nodefaults', '-display', 'none', '-S',
    '-qmp', `unix:${sock},server=on,wait=off`], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !fs.existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
  const out = await new Promise<string>((resolve) => {
    const s = net.createConnection(sock);
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    const idle = () => {
      clearTimeout(timer);
      timer = setTimeout(() => s.destroy(), 1500);
    };
    s.on('data', (d) => {
      text += d.toString('utf8');
      idle();
    });
    s.on('error', () => {}); // QEMU resets the connection when it exits after quit
    s.on('close', () => resolve(text));
    s.once('data', () => s.write(inputs.map((l) => l + '\n').join('')));
    idle();
  });
  qemu.kill();
  const version = (await new Promise<string>((r) => {
    const p = spawn('qemu-system-ppc64', ['--version']);
    let v = '';
    p.stdout.on('data', (d) => (v += d));
    p.on('close', () => r(v.split('\n')[0]));
  }));
  const transcript = { recordedWith: version, output: out.split('\r\n').filter((l) => l !== '') };
  fs.writeFileSync(path.join(dir, `${name}.qemu.json`), JSON.stringify(transcript, null, 1) + '\n');
  console.log(`${name}: ${transcript.output.length} lines`);
}

for (const n of names) await record(n);
