// RX buffer pools ("use-rx-buffer-pools" = on; spec 4.5): 5 pools x 4096 descriptors kept in device
// state, sorted by buffer size ascending; add = exact-size pool, else recycle the highest-index empty
// pool and re-sort; take = best fit over non-empty pools, LIFO within a pool. Nothing touches guest RAM.
import {
  VLAN_POOL_BDS, VLAN_POOL_BUF_SIZE_COUNT as RX_MAX_POOLS,
  vlanPoolBufSize, vlanSetPoolBufSize, vlanPoolCount, vlanSetPoolCount, vlanPoolBds, vlanSetPoolBds,
} from '../gen/layout';
import { SCRATCH_TMP, SCRATCH_SWAP } from '../mem/scratch';

export const RX_POOL_MAX_BDS: u32 = 4096;
/** bufsize of an unused pool: sorts last (spec 4.5). */
export const RX_POOL_UNUSED: i32 = 0x7fffffff;
const POOL_BYTES: u32 = RX_POOL_MAX_BDS * 8;

/** Set by poolsTake: the frame went to a larger pool because a smaller fitting one was empty. */
export let poolsTakeFallback: bool = false;

// @ts-ignore: decorator
@inline function poolSlots(v: u32, p: u32): u32 { return v + VLAN_POOL_BDS + p * POOL_BYTES; }

/** Empties every pool (H_FREE, reset: spec 2.4). */
export function poolsReset(v: u32): void {
  for (let p: u32 = 0; p < RX_MAX_POOLS; p++) {
    vlanSetPoolBufSize(v, p, RX_POOL_UNUSED);
    vlanSetPoolCount(v, p, 0);
  }
  memory.fill(poolSlots(v, 0), 0, RX_MAX_POOLS * POOL_BYTES); // in bounds: the poolBds field
}

/** Index of the pool of exactly `size` bytes (even if empty), or -1. */
function poolFind(v: u32, size: i32): i32 {
  for (let p: u32 = 0; p < RX_MAX_POOLS; p++) if (vlanPoolBufSize(v, p) == size) return <i32>p;
  return -1;
}

/** Swaps pools a and b including their descriptors (only the used prefix: the rest is zero). */
function poolSwap(v: u32, a: u32, b: u32): void {
  const sa = vlanPoolBufSize(v, a), ca = vlanPoolCount(v, a);
  const sb = vlanPoolBufSize(v, b), cb = vlanPoolCount(v, b);
  const n = <u32>max<i32>(ca, cb) * 8;
  // Scratch holds 128 KiB >= one pool (32 KiB).
  memory.copy(SCRATCH_SWAP, poolSlots(v, a), n);
  memory.copy(poolSlots(v, a), poolSlots(v, b), n);
  memory.copy(poolSlots(v, b), SCRATCH_SWAP, n);
  vlanSetPoolBufSize(v, a, sb); vlanSetPoolCount(v, a, cb);
  vlanSetPoolBufSize(v, b, sa); vlanSetPoolCount(v, b, ca);
}

/** Re-sorts the pools ascending by buffer size (spec 4.5: only after a size (re)assignment). */
function poolsSort(v: u32): void {
  for (let i: u32 = 1; i < RX_MAX_POOLS; i++) {
    for (let j = i; j > 0 && vlanPoolBufSize(v, j - 1) > vlanPoolBufSize(v, j); j--) poolSwap(v, j - 1, j);
  }
}

/** The pool a descriptor of `size` bytes goes to, assigning an empty pool if needed; -1 = none. */
function poolFor(v: u32, size: i32): i32 {
  let p = poolFind(v, size);
  if (p >= 0) return p;
  for (let i: i32 = <i32>RX_MAX_POOLS - 1; i >= 0; i--) {
    if (vlanPoolCount(v, <u32>i) == 0) {
      vlanSetPoolBufSize(v, <u32>i, size);
      poolsSort(v);
      return poolFind(v, size);
    }
  }
  return -1;
}

/** H_ADD step 4, pools (spec 4.5): true when stored; the descriptor is kept raw (Q5). */
export function poolsAdd(v: u32, bd: u64, size: u32): bool {
  const p = poolFor(v, <i32>size);
  if (p < 0) return false;
  const c = vlanPoolCount(v, <u32>p);
  if (<u32>c >= RX_POOL_MAX_BDS) return false;
  vlanSetPoolBds(v, <u32>p * RX_POOL_MAX_BDS + <u32>c, bd);
  vlanSetPoolCount(v, <u32>p, c + 1);
  return true;
}

/**
 * Whether `n` descriptors of the sizes at sizes[0..n) (i32 at hoff `sizes`) would all be accepted,
 * simulating poolsAdd on a copy of the pool sizes and counts (H_ADD_LOGICAL_LAN_BUFFERS is all or nothing).
 */
export function poolsCanAdd(v: u32, sizes: u32, n: u32): bool {
  const sim = SCRATCH_TMP + 0x100; // 5 x {i32 size, i32 count}
  for (let p: u32 = 0; p < RX_MAX_POOLS; p++) {
    store<i32>(sim + p * 8, vlanPoolBufSize(v, p));
    store<i32>(sim + p * 8 + 4, vlanPoolCount(v, p));
  }
  for (let k: u32 = 0; k < n; k++) {
    const size = load<i32>(sizes + k * 4);
    let p: i32 = -1;
    for (let i: u32 = 0; i < RX_MAX_POOLS; i++) if (load<i32>(sim + i * 8) == size) { p = <i32>i; break; }
    if (p < 0) {
      for (let i: i32 = <i32>RX_MAX_POOLS - 1; i >= 0; i--) {
        if (load<i32>(sim + <u32>i * 8 + 4) == 0) { store<i32>(sim + <u32>i * 8, size); p = i; break; }
      }
      if (p >= 0) p = simSort(sim, size);
    }
    if (p < 0) return false;
    const c = load<i32>(sim + <u32>p * 8 + 4);
    if (<u32>c >= RX_POOL_MAX_BDS) return false;
    store<i32>(sim + <u32>p * 8 + 4, c + 1);
  }
  return true;
}

/** Sorts the simulated {size, count} pairs like poolsSort; returns the new index of `size`. */
function simSort(sim: u32, size: i32): i32 {
  for (let i: u32 = 1; i < RX_MAX_POOLS; i++) {
    for (let j = i; j > 0 && load<i32>(sim + (j - 1) * 8) > load<i32>(sim + j * 8); j--) {
      const a = load<u64>(sim + (j - 1) * 8);
      store<u64>(sim + (j - 1) * 8, load<u64>(sim + j * 8));
      store<u64>(sim + j * 8, a);
    }
  }
  for (let i: u32 = 0; i < RX_MAX_POOLS; i++) if (load<i32>(sim + i * 8) == size) return <i32>i;
  return -1;
}

/** RX take, pools (spec 4.5): best fit, LIFO; 0 = no suitable buffer. Sets poolsTakeFallback. */
export function poolsTake(v: u32, need: u32): u64 {
  let skipped = false;
  for (let p: u32 = 0; p < RX_MAX_POOLS; p++) {
    const size = vlanPoolBufSize(v, p);
    if (<i64>size < <i64>need) continue;
    const c = vlanPoolCount(v, p);
    if (c <= 0) { skipped = true; continue; }
    const at = p * RX_POOL_MAX_BDS + <u32>(c - 1);
    const bd = vlanPoolBds(v, at);
    vlanSetPoolBds(v, at, 0);
    vlanSetPoolCount(v, p, c - 1);
    poolsTakeFallback = skipped;
    return bd;
  }
  return 0;
}
