/* The virtual LAN device, driven the way Linux ibmveth drives it (papr-vlan.md 2, 3, 4.6, 8):
 * TCE mappings, H_REGISTER_LOGICAL_LAN, receive-buffer pools with correlators and the 7/8
 * replenish policy, the RX queue toggle protocol, H_SEND_LOGICAL_LAN.
 * DMA layout: identity, IOBA = real address, so every buffer must lie inside the 256 MiB window. */
#include "veth.h"

#define H_PUT_TCE 0x20
#define H_PUT_TCE_INDIRECT 0x13c
#define H_VIO_SIGNAL 0x104
#define H_REGISTER_LOGICAL_LAN 0x114
#define H_FREE_LOGICAL_LAN 0x118
#define H_ADD_LOGICAL_LAN_BUFFER 0x11c
#define H_SEND_LOGICAL_LAN 0x120
#define H_ILLAN_ATTRIBUTES 0x244
#define H_ADD_LOGICAL_LAN_BUFFERS 0x248
#define H_BUSY 1
#define H_DROPPED (-12)

#define VLAN_BD_VALID (1ul << 63)
#define VLAN_RXQ_TOGGLE 0x80000000u   /* RX-queue entry flags_off bits (spec 3.4) */
#define VLAN_RXQ_VALID 0x40000000u
#define VLAN_RXQ_OFF_MASK 0xffffu
#define ILLAN_RX_MULTI_BUFF 0x40000ul /* H_ILLAN_ATTRIBUTES: H_ADD_LOGICAL_LAN_BUFFERS (spec 2.10) */
#define TCE_READ 1                     /* device may read (TX) */
#define TCE_RW 3                       /* device may read and write (RX, control pages) */
#define PAGE 4096ul
#define RX_COPYBREAK 128               /* ibmveth: smaller frames are copied and the buffer re-posted */
#define ADD_BATCH 8                    /* descriptors per H_ADD_LOGICAL_LAN_BUFFERS */

u64 heap_next, heap_end;

void *heap_alloc(u64 bytes) {
  u64 p = heap_next;
  bytes = (bytes + PAGE - 1) & ~(PAGE - 1);
  if (p + bytes > heap_end) return 0;
  heap_next = p + bytes;
  return (void *)p;
}

static u64 bd(u32 len, u64 ioba) { return VLAN_BD_VALID | (u64)len << 32 | (u32)ioba; }

static s64 lan_hcall(struct llan *d, u64 op, u64 a1, u64 a2, u64 a3, u64 a4, u64 *out) {
  d->hcalls++;
  return hcall(op, d->unit, a1, a2, a3, a4, 0, out);
}

/* TCE list for H_PUT_TCE_INDIRECT: 4 KiB aligned, up to 512 big-endian TCEs (spec 2.11). */
static u64 tce_list[512] __attribute__((aligned(4096)));
static int indirect = 1; /* cleared if the hypervisor refuses H_PUT_TCE_INDIRECT */

/* Maps [ra, ra+len) at IOBA = ra with permission perm (spec 3.6): 512 pages per
 * H_PUT_TCE_INDIRECT (like Linux with FW_FEATURE_MULTITCE), else one H_PUT_TCE per page. */
static int map(struct llan *d, u64 ra, u64 len, u64 perm) {
  if (ra + len > d->win_size) return -1;
  u64 p = ra & ~(PAGE - 1);
  while (p < ra + len) {
    u64 n = (ra + len - p + PAGE - 1) / PAGE;
    if (n > 512) n = 512;
    d->hcalls++;
    if (indirect && n > 1) {
      for (u64 k = 0; k < n; k++) tce_list[k] = be64((p + k * PAGE) | perm);
      __asm__ volatile("sync" ::: "memory");
      if (hcall(H_PUT_TCE_INDIRECT, d->liobn, p, (u64)tce_list, n, 0, 0, 0) == H_SUCCESS) { p += n * PAGE; continue; }
      indirect = 0; /* retry these pages one by one */
    }
    if (hcall(H_PUT_TCE, d->liobn, p, p | perm, 0, 0, 0, 0) != H_SUCCESS) return -1;
    p += PAGE;
  }
  return 0;
}

int llan_probe(struct llan *d, u32 want_unit) {
  dt_node vdev = dt_find("/vdevice");
  char compat[32];
  for (dt_node n = -1; vdev >= 0 && (n = dt_child(vdev, n)) >= 0;) {
    int l = dt_getprop(n, "compatible", compat, sizeof compat - 1);
    if (l < 0) continue;
    compat[l < (int)sizeof compat - 1 ? l : (int)sizeof compat - 1] = 0;
    if (!streq(compat, "IBM,l-lan")) continue;
    d->unit = dt_u32(n, "reg", 0);
    if (want_unit && d->unit != want_unit) continue;
    u8 mac[8];
    l = dt_getprop(n, "local-mac-address", mac, 8); /* 6 bytes, or 8 = 2 pad bytes first (spec 6.2) */
    if (l != 6 && l != 8) return -2;
    memcpy(d->mac, mac + (l - 6), 6);
    u32 win[5];                                    /* <liobn, base hi lo, size hi lo> */
    if (dt_getprop(n, "ibm,my-dma-window", win, sizeof win) != 20) return -3;
    d->liobn = be32(win[0]);
    d->win_size = (u64)be32(win[3]) << 32 | be32(win[4]);
    if (win[1] || win[2]) return -3;               /* identity layout needs a window at 0 */
    u32 irq[2];                                    /* <irq, 0 = edge> (spec 1.4) */
    d->irq = dt_getprop(n, "interrupts", irq, sizeof irq) >= 4 ? be32(irq[0]) : 0;
    return 0;
  }
  return -1;
}

static void push_free(struct pool *p, u32 i) { p->free[p->nfree++] = (u16)i; }

static void set_correlator(struct pool *p, int pool, u32 i) {
  /* ibmveth's correlator: pool << 32 | index, in the first 8 bytes; the device copies them
   * verbatim into the RX-queue entry (spec 3.4), so the byte order is ours. */
  *(volatile u64 *)(p->base + (u64)i * p->size) = (u64)pool << 32 | i;
}

/* One pool, ibmveth_replenish_buffer_pool: post (count - avail) buffers, stop at the first failure. */
static void replenish_pool(struct llan *d, int pi) {
  struct pool *p = &d->pool[pi];
  u32 want = p->count - p->avail;
  while (want && p->nfree) {
    u32 n = d->multi && want > 1 ? (want < ADD_BATCH ? want : ADD_BATCH) : 1;
    if (n > p->nfree) n = p->nfree;
    u64 a[9] = {d->unit};
    u32 idx[ADD_BATCH];
    for (u32 k = 0; k < n; k++) {
      idx[k] = p->free[--p->nfree];
      set_correlator(p, pi, idx[k]);
      a[1 + k] = bd(p->size, p->base + (u64)idx[k] * p->size);
    }
    __asm__ volatile("sync" ::: "memory");
    s64 rc;
    d->hcalls++;
    if (n == 1) rc = hcall(H_ADD_LOGICAL_LAN_BUFFER, d->unit, a[1], 0, 0, 0, 0, 0);
    else rc = hcall_n(H_ADD_LOGICAL_LAN_BUFFERS, a);
    if (rc != H_SUCCESS) { /* the whole batch is refused (ibmveth undoes it) */
      for (u32 k = n; k-- > 0;) push_free(p, idx[k]);
      p->add_fail++;
      return;
    }
    for (u32 k = 0; k < n; k++) p->posted[idx[k]] = 1;
    p->avail += n;
    want -= n;
  }
}

/* ibmveth_replenish_task: largest pool first; a pool is refilled only below 7/8 of its count. */
void llan_replenish(struct llan *d) {
  for (int i = d->npools; i-- > 0;) {
    struct pool *p = &d->pool[i];
    if (p->avail < p->count * 7 / 8) replenish_pool(d, i);
  }
}

int llan_open(struct llan *d, const u32 *sizes, const u32 *counts, int npools, int signal) {
  u64 total = 0;
  d->npools = npools;
  for (int i = 0; i < npools; i++) {
    struct pool *p = &d->pool[i];
    p->size = sizes[i];
    p->count = counts[i];
    p->base = (u64)heap_alloc((u64)p->size * p->count);
    if (!p->base || map(d, p->base, (u64)p->size * p->count, TCE_RW)) return -1;
    for (u32 k = p->count; k-- > 0;) push_free(p, k);
    total += p->count;
  }
  d->bl = (u64)heap_alloc(PAGE);
  d->filter = (u64)heap_alloc(PAGE);
  d->rxq_n = (u32)(1 + total);                     /* ibmveth: 16 x (1 + all buffers) bytes */
  d->rxq = (u64)heap_alloc(16ul * d->rxq_n);
  d->tx = (u64)heap_alloc(65536);
  if (!d->bl || !d->filter || !d->rxq || !d->tx) return -1;
  memset((void *)d->bl, 0, PAGE);
  memset((void *)d->filter, 0, PAGE);
  if (map(d, d->bl, PAGE, TCE_RW) || map(d, d->filter, PAGE, TCE_RW) ||
      map(d, d->rxq, 16ul * d->rxq_n, TCE_RW) || map(d, d->tx, 65536, TCE_READ)) return -2;
  d->rxq_idx = 0;
  d->rxq_toggle = 1;

  u64 out[3];
  s64 rc = lan_hcall(d, H_ILLAN_ATTRIBUTES, 0, 0, 0, 0, out);
  d->attributes = rc == H_SUCCESS ? out[0] : (u64)rc;
  d->multi = d->multi && rc == H_SUCCESS && (out[0] & ILLAN_RX_MULTI_BUFF); /* preset: allowed */

  u64 mac = 0;
  for (int i = 0; i < 6; i++) mac = mac << 8 | d->mac[i];
  lan_hcall(d, H_VIO_SIGNAL, 0, 0, 0, 0, 0);
  u64 rxq_desc = bd(16 * d->rxq_n, d->rxq);
  rc = lan_hcall(d, H_REGISTER_LOGICAL_LAN, d->bl, rxq_desc, d->filter, mac, 0);
  if (rc != H_SUCCESS) { /* ibmveth retries once after a free (adapter left open, e.g. kexec) */
    lan_hcall(d, H_FREE_LOGICAL_LAN, 0, 0, 0, 0, 0);
    rc = lan_hcall(d, H_REGISTER_LOGICAL_LAN, d->bl, rxq_desc, d->filter, mac, 0);
  }
  if (rc != H_SUCCESS) return (int)rc;
  llan_replenish(d);
  if (signal) lan_hcall(d, H_VIO_SIGNAL, 1, 0, 0, 0, 0);
  return 0;
}

/* Gives a consumed buffer back: small frames are re-posted at once (ibmveth's copybreak path),
 * the others wait in the free list for the next replenish. */
static void release(struct llan *d, int pi, u32 i, u32 len) {
  struct pool *p = &d->pool[pi];
  if (len < RX_COPYBREAK) {
    set_correlator(p, pi, i);
    d->hcalls++;
    if (hcall(H_ADD_LOGICAL_LAN_BUFFER, d->unit, bd(p->size, p->base + (u64)i * p->size), 0, 0, 0, 0, 0) == H_SUCCESS) {
      p->posted[i] = 1;
      p->avail++;
      return;
    }
  }
  push_free(p, i);
}

int llan_poll(struct llan *d, int budget, rx_fn fn) {
  int n = 0;
  while (n < budget) {
    /* In bounds: rxq_idx < rxq_n, the queue holds rxq_n 16-byte entries. */
    volatile u32 *e = (volatile u32 *)(d->rxq + 16ul * d->rxq_idx);
    u32 flags = be32(e[0]);
    if ((flags >> 31) != d->rxq_toggle) break;     /* not written in this pass yet (spec 4.6) */
    __asm__ volatile("lwsync" ::: "memory");       /* the device publishes the control byte last */
    u32 len = be32(e[1]);
    u64 corr = *(volatile u64 *)(e + 2);
    if (++d->rxq_idx == d->rxq_n) { d->rxq_idx = 0; d->rxq_toggle ^= 1; }
    n++;
    u32 pi = (u32)(corr >> 32), i = (u32)corr;
    if (pi >= (u32)d->npools || i >= d->pool[pi].count || !d->pool[pi].posted[i]) { d->rx_bad_corr++; continue; }
    struct pool *p = &d->pool[pi];
    p->posted[i] = 0;
    p->avail--;
    u32 off = flags & VLAN_RXQ_OFF_MASK;
    if (!(flags & VLAN_RXQ_VALID) || off + len > p->size) { d->rx_invalid++; release(d, (int)pi, i, 0); continue; }
    p->hits++;
    fn(d, (u8 *)(p->base + (u64)i * p->size + off), len, (int)pi);
    release(d, (int)pi, i, len);
  }
  return n;
}

int llan_send(struct llan *d, u64 ioba, u32 len) {
  s64 rc;
  int tries = 0;
  __asm__ volatile("sync" ::: "memory");
  do { /* r11 (continue token) must be 0; retry while busy like ibmveth */
    u64 a[9] = {d->unit, bd(len, ioba), 0, 0, 0, 0, 0, 0, 0};
    d->hcalls++;
    rc = hcall_n(H_SEND_LOGICAL_LAN, a);
  } while (rc == H_BUSY && ++tries < 1024);
  if (rc != H_SUCCESS && rc != H_DROPPED) { d->tx_fail++; return -1; }
  d->tx_frames++;
  d->tx_bytes += len;
  return 0;
}

u64 llan_dropped(struct llan *d) { return be64(*(volatile u64 *)(d->bl + 4088)); }

s64 llan_close(struct llan *d) {
  lan_hcall(d, H_VIO_SIGNAL, 0, 0, 0, 0, 0);
  return lan_hcall(d, H_FREE_LOGICAL_LAN, 0, 0, 0, 0, 0);
}
