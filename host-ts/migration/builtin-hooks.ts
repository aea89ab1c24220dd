// Migration hooks of the foundation blocks: which instances are in use, and the load validators
// (spec 7 recommendations and Q14: validate and reject instead of loading nonsense).
import { GUEST_PAGE, region } from '../layout/memory-map.js';
import { view, type MemoryLike } from '../layout/state-view.js';
import { VIO_KIND } from '../layout/papr.js';
import { MAX_VIO_DEVICES } from '../layout/vio-state.js';
import { RX_MAX_POOLS, RX_POOL_MAX_BDS, MAX_VLAN_DEVICES } from '../layout/vlan-state.js';
import { fail, hex } from './errors.js';
import { registerBlockHooks, registerRegionMigration, type StagedMachine, type ValidateContext } from './registry.js';

/** VIO slot whose device is instance `index` of `kind`, or -1. */
export function vioSlotOf(mem: MemoryLike, kind: number, index: number): number {
  for (let s = 0; s < MAX_VIO_DEVICES; s++) {
    const v = view(mem, 'vio', s);
    if (v.getNum('kind') === kind && v.getNum('kindIndex') === index) return s;
  }
  return -1;
}

// ---- vio: a slot is in use when a device claimed it.
registerBlockHooks('vio', {
  inUse: (mem, i) => view(mem, 'vio', i).getNum('kind') !== VIO_KIND.VIO_KIND_NONE,
  validate({ path, staged, dest }) {
    const pending = staged.getNum('irqPending');
    if (pending > 1) fail(`${path}.irqPending`, `${pending} is not 0 or 1`);
    const sig = staged.getBig('signalState');
    const mask = dest.getBig('signalMask');
    if ((sig & ~mask) !== 0n) fail(`${path}.signalState`, `${hex(sig)} sets bits outside the device's H_VIO_SIGNAL mask ${hex(mask)} (spec 2.9)`);
  },
});

// ---- TCE tables: one per VIO slot with a DMA window (spec 1.3, 3.6).
const TCE_PERM = 3n;
registerRegionMigration({
  region: 'tceTable',
  version: 1,
  elem: 'u64',
  doc: 'TCEs of each VIO device with a DMA window',
  inUse: (mem, i) => {
    const v = view(mem, 'vio', i);
    return v.getNum('kind') !== VIO_KIND.VIO_KIND_NONE && v.getNum('tceEntries') > 0;
  },
  validate({ index, path, bytes, machine }) {
    const entries = machine.destView('vio', index).getNum('tceEntries');
    // Host byte order (little-endian) u32 pairs; the staged image is a fresh, aligned buffer.
    const w = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 2);
    const ram = BigInt(machine.ramSize);
    for (let k = 0; k < w.length >> 1; k++) {
      const lo = w[2 * k];
      const hi = w[2 * k + 1];
      if ((lo | hi) === 0) continue;
      if (k >= entries) fail(`${path}.entry[${k}]`, `non-zero TCE past the window of ${entries} entries`);
      const tce = (BigInt(hi) << 32n) | BigInt(lo);
      if ((tce & TCE_PERM) !== 0n && (tce & ~0xfffn) + BigInt(GUEST_PAGE) > ram) {
        fail(`${path}.entry[${k}]`, `TCE ${hex(tce)} maps a page outside guest RAM (${machine.ramSize} bytes)`);
      }
    }
  },
});

/** Reads a big-endian u64 the device would read at `ioba` of VIO slot `slot` (staged TCEs and RAM). */
export function stagedDmaRead64(machine: StagedMachine, slot: number, ioba: number): bigint | undefined {
  const tces = machine.regionBytes('tceTable', slot);
  const entries = machine.destView('vio', slot).getNum('tceEntries');
  const k = Math.floor(ioba / GUEST_PAGE);
  if (!tces || k >= entries || (ioba & 0xfff) > GUEST_PAGE - 8) return undefined;
  const dv = new DataView(tces.buffer, tces.byteOffset, tces.byteLength);
  const tce = dv.getBigUint64(k * 8, true);
  if ((tce & 1n) === 0n) return undefined; // no read permission
  return machine.readRamBe64((tce & ~0xfffn) + BigInt(ioba & 0xfff));
}

// ---- spapr-vlan (spec 4.1, 7, Q14).
export const VLAN_POOL_UNUSED = 0x7fffffff;     // spec 4.5
const VLAN_BUF_LIST_FIRST = 8;                  // pointer value after H_REGISTER (spec 2.3)
const VLAN_BUF_LIST_LAST = 4080;                // last legacy slot (spec 3.3)
const VLAN_MAX_LEGACY_BUFS = 509;               // spec 3.3
const VLAN_BD_LEN_MAX = 0xffffff;               // 24-bit length (spec 3.1)

const vlanInUse = (mem: MemoryLike, i: number): boolean => vioSlotOf(mem, VIO_KIND.VIO_KIND_VLAN, i) >= 0;

function checkVlanCompat({ path, dest, subsections }: ValidateContext): void {
  const streamPools = subsections.has('rx_pools');
  const destPools = dest.getNum('poolsEnabled') !== 0;
  if (streamPools && !destPools) {
    fail(`${path}/rx_pools`, 'the stream carries RX buffer pools (source use-rx-buffer-pools=on) but this destination has '
      + 'use-rx-buffer-pools=off; refusing the load: the guest would lose its posted receive buffers '
      + '(start the destination with use-rx-buffer-pools=on; README "Migration compatibility")');
  }
  if (!streamPools && destPools) {
    fail(`${path}/rx_pools`, 'the stream has no RX buffer pool subsection (source use-rx-buffer-pools=off, legacy buffer list) '
      + 'but this destination has use-rx-buffer-pools=on; refusing the load: the guest\'s legacy buffers would never be found '
      + '(start the destination with use-rx-buffer-pools=off; README "Migration compatibility")');
  }
}

function checkPools({ path, staged }: ValidateContext, windowBytes: number): number {
  const bds = new DataView(staged.memory.buffer, staged.addr('poolBds'), RX_MAX_POOLS * RX_POOL_MAX_BDS * 8);
  let prev = 0;
  let held = 0;
  for (let p = 0; p < RX_MAX_POOLS; p++) {
    const size = staged.getNum('poolBufSize', p);
    const count = staged.getNum('poolCount', p);
    const fs = `${path}.poolBufSize[${p}]`;
    if (count < 0 || count > RX_POOL_MAX_BDS) fail(`${path}.poolCount[${p}]`, `${count} out of range 0..${RX_POOL_MAX_BDS}`);
    if (size <= 0) fail(fs, `${size}: a pool buffer size must be > 0`);
    if (size !== VLAN_POOL_UNUSED && (size < 16 || size % 4 !== 0 || size > VLAN_BD_LEN_MAX)) {
      fail(fs, `${size} is not a buffer length H_ADD_LOGICAL_LAN_BUFFER accepts (16..${VLAN_BD_LEN_MAX}, multiple of 4)`);
    }
    if (size < prev || (size === prev && size !== VLAN_POOL_UNUSED)) {
      fail(fs, `pools not sorted by ascending buffer size (${prev} then ${size}) (spec 4.5)`);
    }
    if (size === VLAN_POOL_UNUSED && count !== 0) fail(`${path}.poolCount[${p}]`, `${count} buffers in an unused pool`);
    for (let i = 0; i < RX_POOL_MAX_BDS; i++) {
      const at = (p * RX_POOL_MAX_BDS + i) * 8;
      const lo = bds.getUint32(at, true); // address (spec 3.1)
      const hi = bds.getUint32(at + 4, true); // flags | length
      const fb = `${path}.poolBds[${p * RX_POOL_MAX_BDS + i}]`;
      if (i >= count) {
        if (lo !== 0 || hi !== 0) fail(fb, `slot past the pool's count ${count} is not empty`);
        continue;
      }
      const len = hi & VLAN_BD_LEN_MAX;
      if (len !== size) fail(fb, `descriptor length ${len} differs from its pool's buffer size ${size}`);
      if (lo % 4 !== 0 || lo + len > windowBytes) {
        fail(fb, `descriptor address ${hex(lo)}+${len} is not a valid DMA range of the ${windowBytes}-byte window`);
      }
    }
    prev = size;
    held += count;
  }
  return held;
}

// The pending queue (spec 4.2): a ring of records {u32 len LE, u32 0, frame, pad to 8} in region
// rxStage, oldest at rxPendHead; a record never straddles the end (a WRAP length sends the reader
// to 0). Only the live window travels.
const RX_REC_HDR = 8;
const RX_REC_WRAP = 0xffffffff;
const VLAN_FLUSH_DELAY_NS = 500_000n;   // spec 2.5 step 6, 4.8

function pendingRanges(mem: MemoryLike, index: number): [number, number][] {
  const v = view(mem, 'vlan', index);
  const count = v.getNum('rxPendCount');
  if (count === 0) return [];
  const head = v.getNum('rxPendHead');
  const tail = v.getNum('rxPendTail');
  const size = region('rxStage').size;
  return tail > head ? [[head, tail]] : [[head, size], [0, tail]];
}

function checkPending({ path, staged, dest, machine, index }: ValidateContext): void {
  const size = region('rxStage').size;
  const count = staged.getNum('rxPendCount');
  const max = dest.getNum('rxPendMax');
  if (count === 0 || count > max) fail(`${path}.rxPendCount`, `${count} pending frames, the destination holds 1..${max} (rx-pending-max)`);
  const head = staged.getNum('rxPendHead');
  const tail = staged.getNum('rxPendTail');
  for (const [f, v] of [['rxPendHead', head], ['rxPendTail', tail]] as const) {
    if (v % 8 !== 0 || v > size) fail(`${path}.${f}`, `${v} is not a record offset inside the ${size}-byte pending ring`);
  }
  const ring = machine.regionBytes('rxStage', index);
  if (!ring) fail(`rxStage[${index}]`, 'pending frames announced but the ring was not sent');
  const dv = new DataView(ring.buffer, ring.byteOffset, ring.byteLength);
  let h = head;
  for (let i = 0; i < count; i++) {
    if (h + RX_REC_HDR > size || dv.getUint32(h, true) === RX_REC_WRAP) h = 0;
    const len = dv.getUint32(h, true);
    const rec = RX_REC_HDR + ((len + 7) & ~7);
    if (len > size - RX_REC_HDR || h + rec > size) fail(`rxStage[${index}].record[${i}]`, `frame length ${len} at offset ${h} runs past the ring`);
    h += rec;
  }
  if (h !== tail) fail(`${path}.rxPendTail`, `${tail} but the ${count} records end at ${h}`);
}

registerRegionMigration({
  region: 'rxStage',
  version: 1,
  elem: 'u8',
  doc: 'live window of each LAN device\'s pending-frame ring',
  inUse: (mem, i) => i < MAX_VLAN_DEVICES && vlanInUse(mem, i),
  ranges: pendingRanges,
});

registerBlockHooks('vlan', {
  inUse: vlanInUse,
  postLoad(mem, index, subsections) {
    // Frames arrived pending: let the flush timer offer them to the guest (spec 7: "optionally
    // schedule a flush after load"; the timer itself is not migrated).
    if (!subsections.has('rx_pending')) return;
    const v = view(mem, 'vlan', index);
    v.set('stalled', 0);
    v.set('flushDeadlineNs', view(mem, 'machine').getBig('vclockNs') + VLAN_FLUSH_DELAY_NS);
  },
  validate(ctx) {
    const { path, staged, subsections, machine, index } = ctx;
    checkVlanCompat(ctx);
    if (subsections.has('rx_pending')) checkPending(ctx);
    const open = staged.getNum('isOpen');
    if (open > 1) fail(`${path}.isOpen`, `${open} is not 0 or 1`);
    const slot = vioSlotOf(machine.destMemory, VIO_KIND.VIO_KIND_VLAN, index);
    const windowBytes = slot >= 0 ? machine.destView('vio', slot).getNum('tceEntries') * GUEST_PAGE : 0;
    for (const f of ['addBufPtr', 'useBufPtr']) {
      const v = staged.getNum(f);
      const ok = (v % 8 === 0 && v >= VLAN_BUF_LIST_FIRST && v <= VLAN_BUF_LIST_LAST) || (open === 0 && v === 0);
      if (!ok) fail(`${path}.${f}`, `${v} is not a buffer-list slot offset (8, 16, ..., 4080) (spec 4.4)`);
    }
    const rxq = staged.getBig('rxqPtr');
    if (rxq % 16n !== 0n) fail(`${path}.rxqPtr`, `${hex(rxq)} is not a multiple of the 16-byte RX-queue entry (spec 4.6)`);
    const rxBufs = staged.getNum('rxBufs');
    const bufList = staged.getBig('bufList');
    const held = subsections.has('rx_pools') ? checkPools(ctx, windowBytes) : 0;
    if (open === 0) {
      if (rxBufs !== 0) fail(`${path}.rxBufs`, `${rxBufs} buffers held by a closed device (H_FREE and reset clear it, spec 2.4)`);
      if (bufList !== 0n) fail(`${path}.bufList`, `${hex(bufList)} on a closed device (spec 2.4)`);
      return;
    }
    const low = Number(bufList & 0xffffffffn);
    if (low % GUEST_PAGE !== 0 || low + GUEST_PAGE > windowBytes) {
      fail(`${path}.bufList`, `${hex(bufList)} is not a page-aligned buffer list inside the ${windowBytes}-byte DMA window (spec 2.3)`);
    }
    if (subsections.has('rx_pools')) {
      if (rxBufs !== held) fail(`${path}.rxBufs`, `${rxBufs} but the pools hold ${held} descriptors (spec 4.1 invariant)`);
    } else if (rxBufs > VLAN_MAX_LEGACY_BUFS) {
      fail(`${path}.rxBufs`, `${rxBufs} exceeds the ${VLAN_MAX_LEGACY_BUFS} legacy buffer-list slots (spec 3.3)`);
    }
    // The RX-queue descriptor sits at buf_list+0 in guest RAM (spec 3.3): rxq_ptr must lie inside it.
    const desc = slot >= 0 ? stagedDmaRead64(machine, slot, low) : undefined;
    if (desc !== undefined) {
      const len = (desc >> 32n) & BigInt(VLAN_BD_LEN_MAX);
      if ((len === 0n && rxq !== 0n) || (len > 0n && rxq >= len)) {
        fail(`${path}.rxqPtr`, `${hex(rxq)} is past the end of the ${len}-byte RX queue (spec 4.6)`);
      }
    }
  },
});

// ---- cpu: nip and msr sanity (Power ISA v3.0).
/** MSR bits defined for a POWER9 partition: SF HV TS TM VEC VSX S EE PR FP ME FE0 SE BE FE1 IR DR PMM RI LE. */
export const MSR_DEFINED = 0x9000_0007_02c0_ff37n;
registerBlockHooks('cpu', {
  validate({ path, staged }) {
    const nip = staged.getBig('nip');
    if (nip % 4n !== 0n) fail(`${path}.nip`, `${hex(nip)} is not a 4-byte aligned instruction address`);
    const msr = staged.getBig('msr');
    if ((msr & ~MSR_DEFINED) !== 0n) fail(`${path}.msr`, `${hex(msr)} sets reserved bits ${hex(msr & ~MSR_DEFINED)}`);
    // Flags the run loop keeps as 0/1 (declared by the CPU; checked where present).
    for (const f of ['externalPending', 'idle']) {
      if (!staged.layout.fieldsByName.has(f)) continue;
      const v = staged.getNum(f);
      if (v > 1) fail(`${path}.${f}`, `${v} is not 0 or 1`);
    }
  },
});

