import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InProcessBackend } from '../../host-ts/net/in-process-backend.js';
import { withFilterDump } from '../../host-ts/net/filter-dump.js';
import { openNetdevs } from '../../host-ts/net/create-backend.js';
import { PcapWriter } from '../../host-ts/net/pcap-writer.js';
import { FakePort, seqFrame, seqOf } from './fake-port.js';

let dir = '';
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });
const tmp = (name: string) => { dir = mkdtempSync(join(tmpdir(), 'pw-pcap-')); return join(dir, name); };

/** Reads a pcap file written on a little-endian host (magic a1b2c3d4 in LE). */
function readPcap(path: string) {
  const b = readFileSync(path);
  const hdr = { magic: b.readUInt32LE(0), major: b.readUInt16LE(4), minor: b.readUInt16LE(6), zone: b.readInt32LE(8),
    sigfigs: b.readUInt32LE(12), snaplen: b.readUInt32LE(16), linktype: b.readUInt32LE(20) };
  const recs: { sec: number; usec: number; caplen: number; len: number; data: Buffer }[] = [];
  let off = 24;
  while (off < b.length) {
    const caplen = b.readUInt32LE(off + 8);
    recs.push({ sec: b.readUInt32LE(off), usec: b.readUInt32LE(off + 4), caplen, len: b.readUInt32LE(off + 12),
      data: b.subarray(off + 16, off + 16 + caplen) });
    off += 16 + caplen;
  }
  expect(off).toBe(b.length);
  return { hdr, recs };
}

describe('filter-dump (pcap)', () => {
  it('writes the libpcap header and records with truncation to snaplen', () => {
    const f = tmp('a.pcap');
    const w = PcapWriter.open(f, 100);
    w.write(seqFrame(1, 60), 1_700_000_000_123_456);
    w.write(seqFrame(2, 1514), 1_700_000_001_000_001);
    w.close();
    const { hdr, recs } = readPcap(f);
    expect(hdr).toEqual({ magic: 0xa1b2c3d4, major: 2, minor: 4, zone: 0, sigfigs: 0, snaplen: 100, linktype: 1 });
    expect(recs.map((r) => [r.sec, r.usec, r.caplen, r.len])).toEqual([[1_700_000_000, 123_456, 60, 60], [1_700_000_001, 1, 100, 1514]]);
    expect(recs[0].data).toEqual(seqFrame(1, 60));
    expect(recs[1].data).toEqual(seqFrame(2, 1514).subarray(0, 100));
  });

  it('records both directions once each, in order, including frames the device takes later', async () => {
    const f = tmp('b.pcap');
    const inner = new InProcessBackend({ id: 'n0' });
    let t = 5_000_000;
    const b = withFilterDump(inner, { file: f, clockUs: () => t++ });
    const port = new FakePort(1);
    b.attach(port);
    inner.send(seqFrame(10), seqFrame(11)); // the second waits for room
    b.transmit(seqFrame(20, 100));
    port.give(5);
    b.transmit(seqFrame(21, 65536));
    await b.close();
    const { recs } = readPcap(f);
    expect(recs.map((r) => seqOf(r.data))).toEqual([10, 20, 11, 21]);
    expect(recs.map((r) => r.len)).toEqual([64, 100, 64, 65536]);
    expect(recs.map((r) => r.usec)).toEqual([0, 1, 2, 3]);
    expect(recs.map((r) => r.sec)).toEqual([5, 5, 5, 5]);
    expect(port.got.map(seqOf)).toEqual([10, 11]);
  });

  it('openNetdevs applies the config\'s filter-dumps; a bad file closes what was opened', async () => {
    const f = tmp('c.pcap');
    const nd = await openNetdevs([{ type: 'in-process', id: 'a' }], [{ netdev: 'a', file: f, maxlen: 65536 }]);
    const raw = nd.backends.get('a') as InProcessBackend;
    nd.forNic.get('a')!.attach(new FakePort());
    raw.send(seqFrame(3));
    nd.forNic.get('a')!.transmit(seqFrame(4));
    await nd.closeAll();
    expect(readPcap(f).recs.map((r) => seqOf(r.data))).toEqual([3, 4]);
    await expect(openNetdevs([{ type: 'udp', id: 'u', local: { host: '127.0.0.1', port: 0 }, remote: { host: '127.0.0.1', port: 9 } }],
      [{ netdev: 'u', file: join(dir, 'no/such/dir.pcap'), maxlen: 65536 }]))
      .rejects.toThrow(/^filter-dump: cannot create .*no\/such\/dir\.pcap: ENOENT/);
  });
});
