// Corrupt, truncated and hostile streams: each is refused with a message naming the field, and
// the destination is left exactly as it was (hash of its state blocks, TCE tables and RAM).
import { describe, expect, test } from 'vitest';
import { saveMachine, loadMachine, MigrationError } from '../../host-ts/migration/index.js';
import { view } from '../../host-ts/layout/state-view.js';
import { region } from '../../host-ts/layout/memory-map.js';
import { VioBus } from '../../host-ts/vio/vio-bus.js';
import { VIO_KIND } from '../../host-ts/layout/papr.js';
import { Machine } from '../../host-ts/machine/machine.js';
import { makeMachine, mapWindow, openVlan, addPoolBuffer, stateHash, VALID, POOL_UNUSED } from './helpers.js';
import { forge, section } from './stream-util.js';

type M = ReturnType<typeof makeMachine>;

/** A source with an open pool-mode vlan holding buffers of sizes 0x200 x2 and 0x800 x1. */
function source(pools = true): M {
  const m = makeMachine({ pools });
  mapWindow(m, 1, 64);
  openVlan(m, 0, 0x1000, 1024);
  m.writeRam(0x20000, [0xde, 0xad]);
  if (pools) {
    addPoolBuffer(m, 0, VALID | (0x200n << 32n) | 0x8000n);
    addPoolBuffer(m, 0, VALID | (0x200n << 32n) | 0x9000n);
    addPoolBuffer(m, 0, VALID | (0x800n << 32n) | 0xa000n);
  }
  return m;
}

/** Loads `stream` into a fresh destination; expects refusal with exactly `message`; checks nothing changed. */
function refused(stream: Uint8Array, field: string, message: string | RegExp, dst: M = makeMachine()): void {
  dst.writeRam(0x4000, [7, 7, 7]); // so "untouched" is not "still zero"
  const before = stateHash(dst);
  let err: unknown;
  try {
    loadMachine(dst, stream);
  } catch (e) {
    err = e;
  }
  expect(err).toBeInstanceOf(MigrationError);
  const me = err as MigrationError;
  expect(me.field).toBe(field);
  if (typeof message === 'string') expect(me.message).toBe(`${field}: ${message}`);
  else expect(me.message).toMatch(message);
  expect(stateHash(dst)).toBe(before);
}

describe('framing', () => {
  const good = saveMachine(source());

  test('the unmodified stream loads (baseline)', () => {
    expect(() => loadMachine(makeMachine(), good)).not.toThrow();
  });

  test('wrong magic', () => {
    refused(forge(good, (c) => { c[0] = 0x7f; }), 'header.magic', '0x7f53574d is not a pseries-wasm migration stream (expected 0x5053574d)');
  });

  test('unsupported stream version', () => {
    refused(forge(good, (_, dv) => dv.setUint32(4, 2)), 'header.version', 'stream format version 2 is not supported (this emulator reads 1)');
  });

  test('guest RAM size differs from the destination', () => {
    refused(good, 'header.ramSize', `stream carries ${1 << 20} bytes of guest RAM, the destination has ${2 << 20} (-m must match)`, makeMachine({ ramSize: 2 << 20 }));
  });

  test('truncated at several points', () => {
    for (const cut of [0, 10, 16, 17, 5000, good.length - 5, good.length - 1]) {
      refused(good.subarray(0, cut), 'stream', /^stream: truncated after \d+ bytes \((no complete header|no end record)\)$/);
    }
  });

  test('one flipped bit anywhere in the payload fails the checksum', () => {
    const bad = good.slice();
    bad[section(good, 'cpu').payload! + 3] ^= 0x10;
    refused(bad, 'end.checksum', /^end\.checksum: CRC-32 0x[0-9a-f]+ does not match the stream's 0x[0-9a-f]+ \(corrupt stream\)$/);
  });

  test('trailing bytes after the end record', () => {
    const longer = new Uint8Array(good.length + 3);
    longer.set(good);
    refused(longer, 'stream', '3 trailing bytes after the end record');
  });

  test('a section length one byte too long', () => {
    const s = section(good, 'vlan');
    refused(forge(good, (_, dv) => dv.setUint32(s.payload! - 4, s.len - (s.payload! - s.at) + 1)), 'vlan[0].length',
      /^vlan\[0\]\.length: (section length \d+ does not match its contents \(\d+ bytes\)|subsection 0 header runs past the section)$/);
  });

  test('a section length beyond the declaration', () => {
    const s = section(good, 'machine');
    refused(forge(good, (_, dv) => dv.setUint32(s.payload! - 4, 1000)), 'machine[0].length', 'section length 1000 does not fit the declaration (17..17 bytes)');
  });

  test('a hostile 4 GiB section length is refused before buffering', () => {
    const s = section(good, 'vlan');
    refused(forge(good, (_, dv) => dv.setUint32(s.payload! - 4, 0xffffffff)), 'vlan[0]', 'payload of 4294967295 bytes exceeds the limit of 8388608');
  });

  test('unknown section name', () => {
    const s = section(good, 'vlan');
    refused(forge(good, (c) => { c[s.at + 5] = 0x6d; }), "section 'vlam'", 'unknown section (no such state block in this emulator)');
  });

  test('section version newer than this emulator', () => {
    const s = section(good, 'vlan');
    refused(forge(good, (_, dv) => dv.setUint32(s.payload! - 8, 2)), 'vlan[0].version', 'section version 2 is newer than this emulator\'s 1');
  });

  test('unknown record tag', () => {
    const s = section(good, 'cpu');
    refused(forge(good, (c) => { c[s.at] = 0x42; }), 'stream', `unknown record tag 0x42 at stream offset ${s.at}`);
  });

  test('RAM record outside guest RAM', () => {
    refused(forge(good, (_, dv) => dv.setUint32(16 + 1, 256)), 'ram.zero', /^ram\.zero: pages 0x100\+\d+ outside guest RAM of 256 pages at stream offset 16$/);
  });

  test('a RAM page missing from the stream', () => {
    // The first record is the zero run of page 0 alone (page 1 holds the buffer list): move it to
    // page 1, which the next record then overwrites with data, so page 0 never arrives.
    const dv0 = new DataView(good.buffer, good.byteOffset);
    expect([good[16], dv0.getUint32(17), dv0.getUint32(21)]).toEqual([0x02, 0, 1]);
    refused(forge(good, (_, dv) => dv.setUint32(17, 1)), 'ram.page[0x0]', 'never sent (1 of 256 pages missing)');
  });
});

describe('hostile device state (valid framing, spec 7 recommendations, Q14)', () => {
  const vlan = (m: M) => view(m.memory, 'vlan', 0);

  test('pool count out of range', () => {
    const m = source();
    vlan(m).set('poolCount', 4097, 1);
    refused(saveMachine(m), 'vlan[0].poolCount[1]', '4097 out of range 0..4096');
  });

  test('negative pool count', () => {
    const m = source();
    vlan(m).set('poolCount', -1, 0);
    refused(saveMachine(m), 'vlan[0].poolCount[0]', '-1 out of range 0..4096');
  });

  test('pool buffer size 0', () => {
    const m = source();
    vlan(m).set('poolBufSize', 0, 4);
    refused(saveMachine(m), 'vlan[0].poolBufSize[4]', '0: a pool buffer size must be > 0');
  });

  test('unsorted pools', () => {
    const m = source();
    const v = vlan(m);
    v.set('poolBufSize', 0x100, 2); // between 0x800 and unused: fine order would be ascending
    refused(saveMachine(m), 'vlan[0].poolBufSize[2]', 'pools not sorted by ascending buffer size (2048 then 256) (spec 4.5)');
  });

  test('buffers counted in an unused pool', () => {
    const m = source();
    vlan(m).set('poolCount', 1, 3);
    refused(saveMachine(m), 'vlan[0].poolCount[3]', '1 buffers in an unused pool');
  });

  test('descriptor address outside the DMA window', () => {
    const m = source();
    vlan(m).set('poolBds', VALID | (0x200n << 32n) | 0x0ffffff0n, 1);
    refused(saveMachine(m), 'vlan[0].poolBds[1]', 'descriptor address 0xffffff0+512 is not a valid DMA range of the 268435456-byte window');
  });

  test('descriptor length differs from its pool', () => {
    const m = source();
    vlan(m).set('poolBds', VALID | (0x400n << 32n) | 0x9000n, 0);
    refused(saveMachine(m), 'vlan[0].poolBds[0]', 'descriptor length 1024 differs from its pool\'s buffer size 512');
  });

  test('rx_bufs disagrees with the pools', () => {
    const m = source();
    vlan(m).set('rxBufs', 5);
    refused(saveMachine(m), 'vlan[0].rxBufs', '5 but the pools hold 3 descriptors (spec 4.1 invariant)');
  });

  test('RX-queue offset past the queue', () => {
    const m = source();
    vlan(m).set('rxqPtr', 1024n);
    refused(saveMachine(m), 'vlan[0].rxqPtr', '0x400 is past the end of the 1024-byte RX queue (spec 4.6)');
  });

  test('RX-queue offset not a multiple of 16', () => {
    const m = source();
    vlan(m).set('rxqPtr', 24n);
    refused(saveMachine(m), 'vlan[0].rxqPtr', '0x18 is not a multiple of the 16-byte RX-queue entry (spec 4.6)');
  });

  test('legacy add/use pointers outside the slot range', () => {
    for (const [f, v] of [['addBufPtr', 4088], ['useBufPtr', 12], ['addBufPtr', 0]] as const) {
      const m = source(false);
      vlan(m).set(f, v);
      refused(saveMachine(m), `vlan[0].${f}`, `${v} is not a buffer-list slot offset (8, 16, ..., 4080) (spec 4.4)`, makeMachine({ pools: false }));
    }
  });

  test('legacy rx_bufs beyond the 509 slots', () => {
    const m = source(false);
    vlan(m).set('rxBufs', 510);
    refused(saveMachine(m), 'vlan[0].rxBufs', '510 exceeds the 509 legacy buffer-list slots (spec 3.3)', makeMachine({ pools: false }));
  });

  test('buffer list outside the DMA window', () => {
    const m = source();
    vlan(m).set('bufList', 0x10000000n);
    refused(saveMachine(m), 'vlan[0].bufList', '0x10000000 is not a page-aligned buffer list inside the 268435456-byte DMA window (spec 2.3)');
  });

  test('a closed device holding buffers', () => {
    const m = source(false);
    vlan(m).set('isOpen', 0);
    vlan(m).set('rxBufs', 3);
    refused(saveMachine(m), 'vlan[0].rxBufs', '3 buffers held by a closed device (H_FREE and reset clear it, spec 2.4)', makeMachine({ pools: false }));
    vlan(m).set('rxBufs', 0);
    refused(saveMachine(m), 'vlan[0].bufList', '0x1000 on a closed device (spec 2.4)', makeMachine({ pools: false }));
  });

  test('TCE mapping a page outside guest RAM', () => {
    const m = source();
    const t = region('tceTable');
    new DataView(m.memory.buffer, t.base + 1 * t.stride).setBigUint64(3 * 8, 0x100000n | 3n, true);
    refused(saveMachine(m), 'tceTable[1].entry[3]', 'TCE 0x100003 maps a page outside guest RAM (1048576 bytes)');
  });

  test('CPU: misaligned nip and reserved MSR bits', () => {
    const a = source();
    view(a.memory, 'cpu').set('nip', 0x1002n);
    refused(saveMachine(a), 'cpu[0].nip', '0x1002 is not a 4-byte aligned instruction address');
    const b = source();
    view(b.memory, 'cpu').set('msr', 0x8000000000000000n | (1n << 40n));
    refused(saveMachine(b), 'cpu[0].msr', '0x8000010000000000 sets reserved bits 0x10000000000');
  });

  test('interrupt enable bits outside the H_VIO_SIGNAL mask', () => {
    const m = source();
    view(m.memory, 'vio', 1).set('signalState', 2n);
    refused(saveMachine(m), 'vio[1].signalState', '0x2 sets bits outside the device\'s H_VIO_SIGNAL mask 0x1 (spec 2.9)');
  });
});

describe('configuration mismatches', () => {
  test('an "equal" field differs: LAN at another unit address on the destination', () => {
    const dst = new Machine({ ramSize: 1 << 20 });
    const bus = new VioBus(dst.memory);
    bus.allocate({ kind: VIO_KIND.VIO_KIND_VTY, signalMask: 0n, dma: false, kindIndex: 0 });
    bus.allocate({ kind: VIO_KIND.VIO_KIND_VLAN, signalMask: 1n, dma: true, kindIndex: 0, reg: 0x71000005 });
    view(dst.memory, 'vlan', 0).set('poolsEnabled', 1);
    for (let p = 0; p < 5; p++) view(dst.memory, 'vlan', 0).set('poolBufSize', POOL_UNUSED, p);
    refused(saveMachine(source()), 'vio[1].reg', 'stream has 0x71000001, the destination has 0x71000005; this field must be equal on both sides', dst as M);
  });

  test('a device the destination does not have', () => {
    const src = makeMachine({ vlans: 2 });
    refused(saveMachine(src), 'vio[2]', 'the destination has no such device (configure the same devices on both sides)');
  });

  test('a device of the destination that the stream lacks', () => {
    refused(saveMachine(makeMachine()), 'vio[2]', 'the destination has this device but the stream has no section for it', makeMachine({ vlans: 2 }));
  });
});
