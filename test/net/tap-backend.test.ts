// TAP backend + native addon, inside a network namespace this test creates and deletes.
// The namespace's own kernel is the peer: it answers the ICMP echo requests we write.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = 'test/net/tap-child.ts';
const NS = `pwtap${process.pid}`;

function why(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespace + TAP)';
  if (!existsSync('/dev/net/tun')) return 'no /dev/net/tun on this machine';
  if (spawnSync('ip', ['-V']).status !== 0) return 'iproute2 (ip) is not installed';
  return undefined;
}
const skipReason = why();

function child(prefix: string[], ...args: string[]): Record<string, any> {
  const r = spawnSync(prefix[0], [...prefix.slice(1), process.execPath, '--import', 'tsx', CHILD, ...args],
    { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}
const inNs = ['ip', 'netns', 'exec', NS];

describe.skipIf(skipReason !== undefined)(`TAP backend in a network namespace${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  beforeAll(() => {
    execFileSync('ip', ['netns', 'add', NS]);
  });
  afterAll(() => {
    spawnSync('ip', ['netns', 'del', NS]);
  });

  it('moves frames both ways, reads only while the device can receive, reports a busy name', () => {
    const r = child(inNs, 'traffic', 'pwtap0');
    expect(r.ifname).toBe('pwtap0');
    expect(r.replies).toEqual([...Array(20).keys()]);
    expect(r.replyLen).toBe(14 + 20 + 8 + 56);
    expect(r.replyPayloadOk).toBe(true);
    // No room: the fd was not read at all, polling stopped, the kernel kept the replies.
    expect(r.pausedReceiveCalls).toBe(0);
    expect(r.pausedPolling).toBe(false);
    expect(r.pausedPending).toBe(0);
    // Room for 4: one batch read, 4 taken, 6 held in order, polling stays off.
    expect(r.afterGive4).toEqual([100, 101, 102, 103]);
    expect(r.pendingAfterGive4).toBe(6);
    expect(r.pollingAfterGive4).toBe(false);
    expect(r.afterGiveAll).toEqual([100, 101, 102, 103, 104, 105, 106, 107, 108, 109]);
    expect(r.resumeBatches).toBe(1);
    expect(r.jumbo).toEqual({ seq: 500, len: 14 + 20 + 8 + 8000 });
    expect(r.hint).toEqual({ got: [700, 701, 702], held: 0, polling: false });
    expect(r.hintAll).toEqual([700, 701, 702, 703, 704, 705, 706, 707, 708, 709]);
    expect(r.busy.code).toBe('EBUSY');
    expect(r.busy.message).toBe('could not configure /dev/net/tun (pwtap0): Device or resource busy (the name is in use by another process)');
    // Read into the Wasm memory view given as staging: frames back to back from its start.
    expect(r.wasm).toEqual([
      { inWasm: true, offset: 65536, seq: 600 },
      { inWasm: true, offset: 65536 + 98, seq: 601 },
    ]);
    expect(r.stats).toMatchObject({ txFrames: 31, rxFrames: 31, txDropped: 0, rxDropped: 0 });
  });

  it('no CAP_NET_ADMIN: EPERM with a hint', () => {
    const r = child([...inNs, 'setpriv', '--bounding-set=-net_admin', '--inh-caps=-net_admin'], 'open', 'pwtap1');
    expect(r.code).toBe('EPERM');
    expect(r.message).toBe('could not configure /dev/net/tun (pwtap1): Operation not permitted (needs root or CAP_NET_ADMIN)');
  });

  it('no /dev/net/tun: ENOENT with a hint', () => {
    const r = child([...inNs, 'unshare', '-m', 'sh', '-c', 'mount -t tmpfs none /dev/net && exec "$0" "$@"'], 'open', 'pwtap2');
    expect(r.code).toBe('ENOENT');
    expect(r.message).toBe('could not open /dev/net/tun: No such file or directory (no TUN/TAP support: load the tun module or create the device node)');
  });
});
