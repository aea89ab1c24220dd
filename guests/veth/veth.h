/* veth: a bare-metal ibmveth-like guest driver for the PAPR virtual LAN (spapr-vlan).
 * Shared declarations of its modules: device-tree access (dt.c), the LAN device (llan.c),
 * the protocol handling (net.c) and the program (main.c). Spec: shared/spec/papr-vlan.md. */
#ifndef VETH_H
#define VETH_H
#include "../rt/rt.h"

typedef unsigned short u16;

#if GUEST_LE
static inline u64 be64(u64 v) { return __builtin_bswap64(v); }
static inline u16 be16(u16 v) { return __builtin_bswap16(v); }
#else
static inline u64 be64(u64 v) { return v; }
static inline u16 be16(u16 v) { return v; }
#endif

/* hcall-n.S: `sc 1` with r4..r12 = a[0..8]; r4..r12 after the call are stored back into a[]. */
s64 hcall_n(u64 op, u64 a[9]);

/* ---- device tree: the FDT blob (-bios) or the Open Firmware client interface (-kernel) ---- */
typedef s64 dt_node; /* < 0: none */
int dt_init(const void *fdt);                      /* 0 = ok; else no tree reachable */
const char *dt_source(void);                       /* "fdt" or "client-interface" */
dt_node dt_find(const char *path);
dt_node dt_child(dt_node parent, dt_node prev);    /* first child when prev < 0 */
int dt_getprop(dt_node n, const char *name, void *buf, int buflen); /* length, or -1 */
u32 dt_u32(dt_node n, const char *name, u32 dflt);

/* ---- the LAN device (llan.c) ---- */
#define MAX_POOLS 5         /* ibmveth IBMVETH_NUM_BUFF_POOLS, QEMU RX_MAX_POOLS (spec 4.1, 8.1) */
#define MAX_POOL_BUFS 4096  /* per pool, both sides */

struct pool {
  u32 size, count;      /* bytes per buffer (descriptor length), buffers in the pool */
  u64 base;             /* real address of buffer 0 (= its IOBA: identity DMA layout) */
  u32 avail;            /* buffers currently posted to the device */
  u32 nfree;            /* entries of free[] in use */
  u16 free[MAX_POOL_BUFS];   /* indices not posted (stack) */
  u8 posted[MAX_POOL_BUFS];  /* 1 while the device holds buffer i */
  u64 hits;             /* frames received into this pool */
  u64 add_fail;         /* failed adds (ibmveth replenish_add_buff_failure) */
};

struct llan {
  u32 unit, liobn;      /* unit address (reg) = LIOBN of its TCE table (spec 1.3) */
  u64 win_size;         /* DMA window size in bytes, window base 0 */
  u8 mac[6];
  u32 irq;
  u64 bl, filter;       /* buffer-list and filter-list pages (real address = IOBA) */
  u64 rxq;              /* RX queue: rxq_n entries of 16 bytes */
  u32 rxq_n, rxq_idx, rxq_toggle; /* next entry to look at, expected TOGGLE (spec 4.6) */
  u64 tx;               /* 64 KiB transmit buffer, device read-only (TCE perm 1) */
  int npools;
  struct pool pool[MAX_POOLS];
  int multi;            /* H_ADD_LOGICAL_LAN_BUFFERS usable (H_ILLAN_ATTRIBUTES 0x40000) */
  u64 attributes;       /* H_ILLAN_ATTRIBUTES result, or the hcall's status if it failed */
  u64 rx_invalid;       /* queue entries without VALID */
  u64 rx_bad_corr;      /* correlators naming no buffer we posted */
  u64 tx_frames, tx_bytes, tx_fail;
  u64 hcalls;           /* LAN and TCE hcalls made */
};

/* Handler for a received frame (data is in a posted buffer; it may be changed and sent in place). */
typedef void (*rx_fn)(struct llan *d, u8 *frame, u32 len, int pool);

int llan_probe(struct llan *d, u32 want_unit);              /* reads the node; 0 = found */
int llan_open(struct llan *d, const u32 *sizes, const u32 *counts, int npools, int signal);
void llan_replenish(struct llan *d);
int llan_poll(struct llan *d, int budget, rx_fn fn);       /* frames handled */
int llan_send(struct llan *d, u64 ioba, u32 len);          /* 0 = sent */
u64 llan_dropped(struct llan *d);                          /* buffer-list +4088 (spec 3.3) */
s64 llan_close(struct llan *d);
void *heap_alloc(u64 bytes);                                /* page-aligned, never freed */
extern u64 heap_next, heap_end;

#endif

/* ---- protocols and the test stream (net.c) ---- */
#define STREAM_PORT 9              /* UDP "discard" port: test-stream frames go there */
#define STREAM_END 0xffffffffu     /* sequence number of the end-of-stream marker */
#define STREAM_MIN_FRAME 46        /* 14 Ethernet + 20 IPv4 + 8 UDP + 4 sequence */

struct net {
  u32 ip;                          /* our IPv4 address, host order */
  int echo;                        /* mode=echo: send stream frames back */
  int log;                         /* print a line per ARP / ICMP exchange */
  u64 tb_hz;
  /* counters */
  u64 frames, bytes;               /* every frame received */
  u64 stream, gaps, dup, end;      /* test stream: frames, missing and repeated sequence numbers, end markers */
  u64 arp, icmp, frag, other;      /* ARP requests answered, echo requests answered, IP fragments, the rest */
  u32 next_seq;
  u64 first_tb, last_tb;           /* timebase at the first and the last stream frame */
};
extern struct net net;

void net_rx(struct llan *d, u8 *frame, u32 len, int pool);
/* Writes a test-stream frame of `size` bytes (>= STREAM_MIN_FRAME) into f. */
void net_build_stream(u8 *f, u32 size, const u8 *src_mac, u32 src_ip, u32 dst_ip);
void net_set_seq(u8 *f, u32 seq);
void put_ip(u32 ip);
void put_mac(const u8 *m);
