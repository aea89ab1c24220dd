// Runs inside a network namespace made by tap-backend.test.ts (as root): opens a TAP through
// the backend, lets the namespace's kernel answer ICMP echo requests we write, and prints what
// it saw as one JSON line. Mode "open NAME" only tries to open and prints the error.
import { execFileSync } from 'node:child_process';
import { TapBackend } from '../../host-ts/net/tap-backend.js';
import { FakePort, sleep } from './fake-port.js';

const [mode, ifname] = process.argv.slice(2);

const HOST_MAC = [0x02, 0, 0, 0, 0, 0x02];
const HOST_IP = [10, 213, 0, 2];
const TAP_IP = [10, 213, 0, 1];

function csum(b: Uint8Array, off: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i += 2) s += (b[off + i] << 8) | (b[off + i + 1] ?? 0);
  while (s > 0xffff) s = (s & 0xffff) + (s >>> 16);
  return ~s & 0xffff;
}

/** Ethernet + IPv4 + ICMP echo request from the fake host to the tap's address. */
function echoRequest(dstMac: number[], seq: number, payload: number): Buffer {
  const f = Buffer.alloc(14 + 20 + 8 + payload);
  f.set(dstMac, 0);
  f.set(HOST_MAC, 6);
  f.writeUInt16BE(0x0800, 12);
  const ip = 14;
  f[ip] = 0x45;
  f.writeUInt16BE(20 + 8 + payload, ip + 2);
  f.writeUInt16BE(seq, ip + 4);
  f[ip + 8] = 64;
  f[ip + 9] = 1;
  f.set(HOST_IP, ip + 12);
  f.set(TAP_IP, ip + 16);
  f.writeUInt16BE(csum(f, ip, 20), ip + 10);
  const ic = ip + 20;
  f[ic] = 8;
  f.writeUInt16BE(0x1234, ic + 4);
  f.writeUInt16BE(seq, ic + 6);
  for (let i = 0; i < payload; i++) f[ic + 8 + i] = (seq + i) & 0xff;
  f.writeUInt16BE(csum(f, ic, 8 + payload), ic + 2);
  return f;
}

/** seq of an ICMP echo reply to us, or -1 for any other frame. */
function replySeq(f: Buffer): number {
  if (f.readUInt16BE(12) !== 0x0800 || f[14 + 9] !== 1 || f[34] !== 0) return -1;
  if (f.readUInt16BE(34 + 4) !== 0x1234) return -1;
  return f.readUInt16BE(34 + 6);
}

const sh = (...a: string[]) => execFileSync(a[0], a.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });

/** Gives the (new, non-persistent) interface its address and our static neighbour; returns its MAC. */
function configure(): number[] {
  sh('sysctl', '-qw', `net.ipv6.conf.${ifname}.disable_ipv6=1`);
  sh('ip', 'link', 'set', ifname, 'mtu', '9000');
  sh('ip', 'addr', 'add', '10.213.0.1/24', 'dev', ifname);
  sh('ip', 'link', 'set', ifname, 'up');
  sh('ip', 'neigh', 'replace', '10.213.0.2', 'lladdr', '02:00:00:00:00:02', 'dev', ifname, 'nud', 'permanent');
  return execFileSync('cat', [`/sys/class/net/${ifname}/address`], { encoding: 'utf8' }).trim()
    .split(':').map((h) => parseInt(h, 16));
}

async function traffic(): Promise<void> {
  const b = TapBackend.open({ id: 't0', ifname, batch: 32 });
  let tapMac = configure();
  const port = new FakePort();
  b.attach(port);
  const out: Record<string, unknown> = { ifname: b.ifname };

  // 1. Echo requests out, replies in, in order.
  for (let seq = 0; seq < 20; seq++) b.transmit(echoRequest(tapMac, seq, 56));
  await port.waitFor(20);
  out.replies = port.got.map(replySeq);
  out.replyLen = port.got[0].length;
  out.replyPayloadOk = port.got[5].subarray(42).equals(echoRequest(tapMac, 5, 56).subarray(42));

  // 2. Backpressure: no room -> the fd is not read; replies wait in the kernel; room -> all, in order.
  port.got.length = 0;
  port.room = 0;
  const calls = port.receiveCalls;
  for (let seq = 100; seq < 110; seq++) b.transmit(echoRequest(tapMac, seq, 56));
  await sleep(200);
  out.pausedReceiveCalls = port.receiveCalls - calls;
  out.pausedPolling = b.isPolling;
  out.pausedPending = b.pendingCount;
  const batches = b.batches;
  port.give(4);
  await port.waitFor(4);
  out.afterGive4 = port.got.map(replySeq);
  out.pendingAfterGive4 = b.pendingCount;
  out.pollingAfterGive4 = b.isPolling;
  port.give(Infinity);
  await port.waitFor(10);
  out.afterGiveAll = port.got.map(replySeq);
  out.resumeBatches = b.batches - batches;

  // 3. A jumbo frame both ways (MTU 9000).
  port.got.length = 0;
  b.transmit(echoRequest(tapMac, 500, 8000));
  await port.waitFor(1);
  out.jumbo = { seq: replySeq(port.got[0]), len: port.got[0].length };

  // 3b. A device with a receiveRoom() hint of 3: only 3 frames are read, the rest stay in the
  // kernel queue (nothing held by the backend), and come when room returns.
  await b.close();
  const h = TapBackend.open({ id: 't0', ifname, batch: 32 });
  tapMac = configure();
  const hp = new FakePort(3, true);
  h.attach(hp);
  for (let seq = 700; seq < 710; seq++) h.transmit(echoRequest(tapMac, seq, 56));
  await hp.waitFor(3);
  await sleep(100);
  out.hint = { got: hp.got.map(replySeq), held: h.pendingCount, polling: h.isPolling };
  hp.give(20);
  await hp.waitFor(10);
  out.hintAll = hp.got.map(replySeq);

  // 4. The same name again while open: busy.
  try {
    TapBackend.open({ id: 't1', ifname });
    out.busy = 'opened';
  } catch (e) {
    out.busy = { code: (e as NodeJS.ErrnoException).code, message: (e as Error).message };
  }
  out.stats = b.stats;
  await h.close();

  // 5. Frames read straight into a Wasm memory (the emulator's staging ring).
  const mem = new WebAssembly.Memory({ initial: 64, maximum: 64 });
  const staging = new Uint8Array(mem.buffer, 65536, 2 ** 20);
  const w = TapBackend.open({ id: 't2', ifname, staging });
  tapMac = configure();
  const views: Uint8Array[] = [];
  w.attach({ canReceive: () => true, onCanReceive: () => {}, receive: (fs) => { views.push(...fs); return fs.length; } });
  w.transmit(echoRequest(tapMac, 600, 56));
  w.transmit(echoRequest(tapMac, 601, 56));
  for (let t = 0; views.length < 2 && t < 400; t++) await sleep(5);
  out.wasm = views.map((v) => ({ inWasm: v.buffer === mem.buffer, offset: v.byteOffset, seq: replySeq(Buffer.from(v)) }));
  await w.close();
  console.log(JSON.stringify(out));
}

function tryOpen(): void {
  try {
    const b = TapBackend.open({ id: 'x', ifname });
    console.log(JSON.stringify({ ok: b.ifname }));
    void b.close();
  } catch (e) {
    console.log(JSON.stringify({ code: (e as NodeJS.ErrnoException).code, message: (e as Error).message }));
  }
}

if (mode === 'traffic') await traffic();
else tryOpen();
