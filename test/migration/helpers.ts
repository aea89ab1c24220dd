// Test machines for migration: VIO slots and vlan state set through the declared views (the way
// the device modules do), valid random state, and whole-state comparison and hashing.
import { createHash } from 'node:crypto';
import { Machine } from '../../host-ts/machine/machine.js';
import { VIO_KIND } from '../../host-ts/layout/papr.js';
import { view } from '../../host-ts/layout/state-view.js';
import { RAM_BASE, region, AS_RESERVED } from '../../host-ts/layout/memory-map.js';
import { RX_MAX_POOLS, RX_POOL_MAX_BDS } from '../../host-ts/layout/vlan-state.js';
import { wireBlocks } from '../../host-ts/migration/format.js';
import { hooksOf } from '../../host-ts/migration/registry.js';
import '../../host-ts/migration/builtin-hooks.js';

export const POOL_UNUSED = 0x7fffffff;
export const VALID = 0x8000000000000000n;

export interface TestMachineOptions {
  ramSize?: number;
  pools?: boolean;
  vlans?: number;
}

/** A machine with a vty and `vlans` LAN devices (pools on unless told otherwise). */
export function makeMachine(opts: TestMachineOptions = {}): Machine {
  const m = new Machine({ ramSize: opts.ramSize ?? 1 << 20 });
  const bus = m.vio;
  bus.allocate({ kind: VIO_KIND.VIO_KIND_VTY, signalMask: 0n, dma: false, kindIndex: 0 });
  for (let i = 0; i < (opts.vlans ?? 1); i++) {
    const slot = bus.allocate({ kind: VIO_KIND.VIO_KIND_VLAN, signalMask: 1n, dma: true, kindIndex: i });
    const v = view(m.memory, 'vlan', i);
    v.set('vio', slot.index);
    v.set('poolsEnabled', opts.pools === false ? 0 : 1);
    for (let p = 0; p < RX_MAX_POOLS; p++) v.set('poolBufSize', POOL_UNUSED, p);
  }
  return m;
}

/** Deterministic PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const vioSlot = (m: Machine, kind: number, index: number): number => {
  for (let s = 0; s < 8; s++) {
    const v = view(m.memory, 'vio', s);
    if (v.getNum('kind') === kind && v.getNum('kindIndex') === index) return s;
  }
  return -1;
};

/** Maps window page k of VIO slot `slot` to guest page k (perm read+write). */
export function mapWindow(m: Machine, slot: number, pages: number): void {
  const t = region('tceTable');
  const dv = new DataView(m.memory.buffer, t.base + slot * t.stride, t.size);
  for (let k = 0; k < pages; k++) dv.setBigUint64(k * 8, BigInt(k * 4096) | 3n, true);
}

/**
 * Random but valid state everywhere: every sent field of every in-use instance gets random bytes,
 * then the blocks with validators are given random values inside their rules; RAM gets random
 * pages with some zero pages between.
 */
export function randomizeState(m: Machine, seed: number): void {
  const r = rng(seed);
  const mem = new Uint8Array(m.memory.buffer);
  for (const w of wireBlocks().values()) {
    const b = w.layout;
    const inUse = hooksOf(b.name).inUse;
    for (let i = 0; i < b.instances; i++) {
      if (inUse && !inUse(m.memory, i)) continue;
      const base = b.base + i * b.stride;
      for (const f of w.main) if (f.migrate === 'save') for (let k = 0; k < f.size; k++) mem[base + f.offset + k] = (r() * 256) | 0;
    }
  }
  const ram = m.ramSize / 4096;
  for (let p = 0; p < ram; p++) {
    if (r() < 0.3) continue;
    const page = mem.subarray(RAM_BASE + p * 4096, RAM_BASE + (p + 1) * 4096);
    for (let k = 0; k < 4096; k += 8) page[k + ((r() * 8) | 0)] = (r() * 256) | 0;
  }
  const cpu = view(m.memory, 'cpu');
  cpu.set('nip', BigInt(Math.floor(r() * 2 ** 30) * 4));
  cpu.set('msr', 0x8000_0000_0000_1033n);
  for (const f of ['externalPending', 'idle']) if (cpu.layout.fieldsByName.has(f)) cpu.set(f, r() < 0.5 ? 1 : 0);
  for (let s = 0; s < 8; s++) {
    const v = view(m.memory, 'vio', s);
    if (v.getNum('kind') === 0) continue;
    v.set('irqPending', r() < 0.5 ? 1 : 0);
    v.set('signalState', v.getBig('signalMask') & BigInt((r() * 2) | 0));
  }
  for (let i = 0; i < 4; i++) {
    const slot = vioSlot(m, VIO_KIND.VIO_KIND_VLAN, i);
    if (slot < 0) continue;
    mapWindow(m, slot, Math.min(64, ram));
    openVlan(m, i, 0x1000 * (1 + i), 16 * 64);
    const v = view(m.memory, 'vlan', i);
    v.set('rxqPtr', BigInt(16 * Math.floor(r() * 64)));
    if (v.getNum('poolsEnabled')) {
      const sizes = [0x200, 0x800, 0x4000].filter(() => r() < 0.8);
      for (const s of sizes) {
        const n = 1 + Math.floor(r() * 40);
        for (let k = 0; k < n; k++) addPoolBuffer(m, i, VALID | (BigInt(s) << 32n) | BigInt(0x8000 + k * 16));
      }
    } else {
      const n = Math.floor(r() * 100);
      v.set('rxBufs', n);
      v.set('addBufPtr', 8 + 8 * Math.floor(r() * 509));
      v.set('useBufPtr', 8 + 8 * Math.floor(r() * 509));
    }
  }
}

/** Puts a vlan in the state H_REGISTER leaves (spec 2.3): buffer list at `bufList`, RX queue of `rxqLen` bytes after it. */
export function openVlan(m: Machine, i: number, bufList: number, rxqLen: number): void {
  const v = view(m.memory, 'vlan', i);
  v.set('isOpen', 1);
  v.set('bufList', BigInt(bufList));
  v.set('addBufPtr', 8);
  v.set('useBufPtr', 8);
  v.set('rxBufs', 0);
  v.set('rxqPtr', 0n);
  m.writeBe64(bufList, VALID | (BigInt(rxqLen) << 32n) | BigInt(bufList + 0x1000));
}

/** Pool-mode add (spec 4.5) done on the state directly, for building test states. */
export function addPoolBuffer(m: Machine, i: number, desc: bigint): void {
  const v = view(m.memory, 'vlan', i);
  const size = Number((desc >> 32n) & 0xffffffn);
  let p = -1;
  for (let k = 0; k < RX_MAX_POOLS; k++) if (v.getNum('poolBufSize', k) === size) p = k;
  if (p < 0) {
    for (let k = RX_MAX_POOLS - 1; k >= 0; k--) {
      if (v.getNum('poolCount', k) === 0) {
        v.set('poolBufSize', size, k);
        const pools = Array.from({ length: RX_MAX_POOLS }, (_, j) => ({
          size: v.getNum('poolBufSize', j), count: v.getNum('poolCount', j),
          bds: Array.from({ length: v.getNum('poolCount', j) }, (_, s) => v.getBig('poolBds', j * RX_POOL_MAX_BDS + s)),
        })).sort((a, b) => a.size - b.size);
        pools.forEach((q, j) => {
          v.set('poolBufSize', q.size, j);
          v.set('poolCount', q.count, j);
          for (let s = 0; s < RX_POOL_MAX_BDS; s++) v.set('poolBds', s < q.bds.length ? q.bds[s] : 0n, j * RX_POOL_MAX_BDS + s);
          if (q.size === size) p = j;
        });
        break;
      }
    }
  }
  if (p < 0) throw new Error('no pool for size');
  const c = v.getNum('poolCount', p);
  v.set('poolBds', desc, p * RX_POOL_MAX_BDS + c);
  v.set('poolCount', c + 1, p);
  v.set('rxBufs', v.getNum('rxBufs') + 1);
}

/** Hash of everything a load may change: state blocks, regions that migrate, RAM. */
export function stateHash(m: Machine): string {
  const h = createHash('sha256');
  const mem = new Uint8Array(m.memory.buffer);
  h.update(mem.subarray(AS_RESERVED, region('rxStage').base)); // blocks + TCE tables
  h.update(mem.subarray(RAM_BASE, RAM_BASE + m.ramSize));
  return h.digest('hex');
}

/** Byte-exact copy of the same range, for fast repeated comparisons. */
export function stateImage(m: Machine): Uint8Array {
  const mem = new Uint8Array(m.memory.buffer);
  return Buffer.concat([mem.subarray(AS_RESERVED, region('rxStage').base), mem.subarray(RAM_BASE, RAM_BASE + m.ramSize)]);
}

export function sameState(m: Machine, image: Uint8Array): boolean {
  const mem = new Uint8Array(m.memory.buffer);
  const a = Buffer.from(mem.buffer, AS_RESERVED, region('rxStage').base - AS_RESERVED);
  const b = Buffer.from(mem.buffer, RAM_BASE, m.ramSize);
  return Buffer.compare(a, image.subarray(0, a.length)) === 0 && Buffer.compare(b, image.subarray(a.length)) === 0;
}

/** Differences between the migrated fields of two machines ("vlan[0].rxBufs"), empty when equal. */
export function fieldDiffs(a: Machine, b: Machine): string[] {
  const out: string[] = [];
  const ma = new Uint8Array(a.memory.buffer);
  const mb = new Uint8Array(b.memory.buffer);
  for (const w of wireBlocks().values()) {
    const bl = w.layout;
    for (let i = 0; i < bl.instances; i++) {
      const base = bl.base + i * bl.stride;
      for (const f of bl.laidOut) {
        if (f.migrate === 'none') continue;
        const x = ma.subarray(base + f.offset, base + f.offset + f.size);
        const y = mb.subarray(base + f.offset, base + f.offset + f.size);
        if (Buffer.compare(x, y) !== 0) out.push(`${bl.name}[${i}].${f.name}`);
      }
    }
  }
  return out;
}

/** Writes back an image taken by stateImage. */
export function restoreImage(m: Machine, image: Uint8Array): void {
  const mem = new Uint8Array(m.memory.buffer);
  const n = region('rxStage').base - AS_RESERVED;
  mem.set(image.subarray(0, n), AS_RESERVED);
  mem.set(image.subarray(n), RAM_BASE);
}
