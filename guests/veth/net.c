/* What the guest does with frames: answers ARP requests and ICMP echo requests for its address
 * (so a host can ping it), counts the test stream, and in echo mode reflects stream frames.
 * Replies are built in the receive buffer itself and sent from there: RX buffers are mapped
 * read/write (TCE perm 3), so the device may read them back.
 *
 * Test stream: Ethernet + IPv4 (20-byte header) + UDP to port 9, the payload starts with a
 * 32-bit big-endian sequence number (0, 1, 2, ...); 0xffffffff marks the end of the stream.
 * The IPv4/UDP checksums of stream frames are neither required nor checked. */
#include "veth.h"

struct net net;

static u32 rd16(const u8 *p) { return (u32)p[0] << 8 | p[1]; }
static u32 rd32(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }
static void wr16(u8 *p, u32 v) { p[0] = (u8)(v >> 8); p[1] = (u8)v; }
static void wr32(u8 *p, u32 v) { p[0] = (u8)(v >> 24); p[1] = (u8)(v >> 16); p[2] = (u8)(v >> 8); p[3] = (u8)v; }
static void swap(u8 *a, u8 *b, int n) { for (int i = 0; i < n; i++) { u8 t = a[i]; a[i] = b[i]; b[i] = t; } }

/* Internet checksum (RFC 1071) of n bytes. */
static u32 csum(const u8 *p, u32 n) {
  u64 s = 0;
  for (u32 i = 0; i + 1 < n; i += 2) s += rd16(p + i);
  if (n & 1) s += (u32)p[n - 1] << 8;
  while (s >> 16) s = (s & 0xffff) + (s >> 16);
  return (u32)~s & 0xffff;
}

void put_ip(u32 ip) {
  for (int i = 3; i >= 0; i--) { put_dec((ip >> (8 * i)) & 255); if (i) putc('.'); }
}

void put_mac(const u8 *m) {
  for (int i = 0; i < 6; i++) {
    putc("0123456789abcdef"[m[i] >> 4]);
    putc("0123456789abcdef"[m[i] & 15]);
    if (i < 5) putc(':');
  }
}

/* Reply in place: Ethernet addresses turned around, the frame sent from the RX buffer. */
static void reply(struct llan *d, u8 *f, u32 len) {
  memcpy(f, f + 6, 6);
  memcpy(f + 6, d->mac, 6);
  llan_send(d, (u64)f, len); /* identity DMA layout: the buffer's address is its IOBA */
}

static void arp(struct llan *d, u8 *f, u32 len) {
  u8 *a = f + 14;
  if (len < 42 || rd16(a) != 1 || rd16(a + 2) != 0x0800 || a[4] != 6 || a[5] != 4) { net.other++; return; }
  u32 spa = rd32(a + 14), tpa = rd32(a + 24);
  if (rd16(a + 6) != 1 || tpa != net.ip) { net.other++; return; }
  net.arp++;
  if (net.log) { puts("veth: arp who-has "); put_ip(tpa); puts(" from "); put_ip(spa); putc('\n'); }
  wr16(a + 6, 2);                 /* reply */
  memcpy(a + 18, a + 8, 6);       /* target = the asker */
  wr32(a + 24, spa);
  memcpy(a + 8, d->mac, 6);       /* sender = us */
  wr32(a + 14, net.ip);
  reply(d, f, len);
}

static void stream(struct llan *d, u8 *f, u32 len, u8 *ip, u32 ihl, u8 *udp) {
  u32 seq = rd32(udp + 8);
  u64 now = read_tb();
  if (seq == STREAM_END) { net.end++; return; }
  if (!net.stream) net.first_tb = now;
  net.last_tb = now;
  net.stream++;
  if (seq == net.next_seq) net.next_seq++;
  else if (seq > net.next_seq) { net.gaps += seq - net.next_seq; net.next_seq = seq + 1; }
  else net.dup++;
  if (net.echo) {
    swap(ip + 12, ip + 16, 4);
    swap(udp, udp + 2, 2);
    reply(d, f, len);
  }
}

static void icmp_echo(struct llan *d, u8 *f, u32 len, u8 *ip, u32 ihl, u32 tot) {
  u8 *ic = ip + ihl;
  if (tot < ihl + 8 || ic[0] != 8 || rd32(ip + 16) != net.ip) { net.other++; return; }
  net.icmp++;
  if (net.log) {
    puts("veth: icmp echo from "); put_ip(rd32(ip + 12));
    puts(" id "); put_dec(rd16(ic + 4)); puts(" seq "); put_dec(rd16(ic + 6));
    puts(" len "); put_dec(tot - ihl - 8); putc('\n');
  }
  ic[0] = 0;                       /* echo reply, same id/seq/data */
  wr16(ic + 2, 0);
  wr16(ic + 2, csum(ic, tot - ihl));
  swap(ip + 12, ip + 16, 4);
  ip[8] = 64;                      /* TTL */
  wr16(ip + 10, 0);
  wr16(ip + 10, csum(ip, ihl));
  reply(d, f, 14 + tot);
}

void net_rx(struct llan *d, u8 *f, u32 len, int pool) {
  net.frames++;
  net.bytes += len;
  if (len < 14) { net.other++; return; }
  u32 type = rd16(f + 12);
  if (type == 0x0806) { arp(d, f, len); return; }
  u8 *ip = f + 14;
  u32 ihl = (ip[0] & 15) * 4;
  if (type != 0x0800 || len < 34 || (ip[0] >> 4) != 4 || ihl < 20 || 14 + ihl > len) { net.other++; return; }
  u32 tot = rd16(ip + 2);
  if (tot < ihl || 14 + tot > len) { net.other++; return; }
  if (rd16(ip + 6) & 0x3fff) { net.frag++; return; }   /* MF or an offset: not reassembled */
  if (ip[9] == 17 && tot >= ihl + 12 && rd16(ip + ihl + 2) == STREAM_PORT) stream(d, f, len, ip, ihl, ip + ihl);
  else if (ip[9] == 1) icmp_echo(d, f, len, ip, ihl, tot);
  else net.other++;
}

void net_build_stream(u8 *f, u32 size, const u8 *src_mac, u32 src_ip, u32 dst_ip) {
  memset(f, 0xff, 6);              /* broadcast: any peer takes it */
  memcpy(f + 6, src_mac, 6);
  wr16(f + 12, 0x0800);
  u8 *ip = f + 14, *udp = ip + 20;
  memset(ip, 0, 28);
  ip[0] = 0x45;
  wr16(ip + 2, size - 14);
  ip[8] = 64;
  ip[9] = 17;
  wr32(ip + 12, src_ip);
  wr32(ip + 16, dst_ip);
  wr16(ip + 10, csum(ip, 20));
  wr16(udp, STREAM_PORT);
  wr16(udp + 2, STREAM_PORT);
  wr16(udp + 4, size - 34);
  for (u32 i = 42; i < size; i++) f[i] = (u8)i;
}

void net_set_seq(u8 *f, u32 seq) { wr32(f + 42, seq); }
