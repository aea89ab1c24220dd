/* veth: receives and sends frames on the first (or the chosen) PAPR virtual LAN, prints one
 * result line and powers off. Parameters come from /chosen/bootargs (-kernel ... -append) or,
 * when that is empty, from the string after the "VETHARGS:" marker in this image, which a
 * tool may patch (for -bios, where QEMU takes no -append). Grammar in guests/README.md. */
#include "veth.h"

#define HEAP_BASE 0x2000000ul      /* DMA memory from 32 MiB (above any image, below the window end) */
#define FDT_ROOM 0x200000ul        /* QEMU keeps the top 2 MiB below min(RAM, 2 GiB) for the FDT */
#define H_CEDE 0xe0
#define H_SET_MODE_RESOURCE_LE 4

volatile char veth_args[256] = "VETHARGS:";

static struct llan lan;

enum { MODE_SINK, MODE_ECHO, MODE_SEND };
static const char *mode_names[] = {"sink", "echo", "send"};

static struct {
  int mode;
  u32 ip, peer, unit;
  u64 count, size, timeout, idle, cede;
  int signal, log, multi;
  int npools;
  u32 sizes[MAX_POOLS], counts[MAX_POOLS];
} cfg = {
  .mode = MODE_SINK, .ip = 0x0a00020f /* 10.0.2.15 */, .peer = 0x0a000202, .size = 64,
  .multi = 1, .npools = 3, .sizes = {512, 2048, 65536}, .counts = {256, 512, 256},
};

static const char *parse_u64(const char *s, u64 *v) {
  u64 x = 0;
  int base = 10;
  if (s[0] == '0' && s[1] == 'x') { base = 16; s += 2; }
  for (;; s++) {
    int c = *s, dgt;
    if (c >= '0' && c <= '9') dgt = c - '0';
    else if (base == 16 && c >= 'a' && c <= 'f') dgt = c - 'a' + 10;
    else break;
    x = x * (u64)base + (u64)dgt;
  }
  *v = x;
  return s;
}

static const char *parse_ip(const char *s, u32 *ip) {
  u32 x = 0;
  for (int i = 0; i < 4; i++) {
    u64 b;
    s = parse_u64(s, &b);
    x = x << 8 | (u32)(b & 255);
    if (i < 3 && *s == '.') s++;
  }
  *ip = x;
  return s;
}

static int bad_arg(const char *s) {
  puts("veth: bad argument: ");
  while (*s && *s != ' ') putc(*s++);
  putc('\n');
  return -1;
}

/* key=value words separated by spaces; unknown keys (e.g. console=) are ignored. */
static int parse_args(const char *s) {
  while (*s) {
    while (*s == ' ') s++;
    const char *w = s, *v = s;
    while (*v && *v != ' ' && *v != '=') v++;
    u64 kl = (u64)(v - w), n = 0;
    if (*v == '=') v++;
    const char *end = v;
#define KEY(k) (kl == sizeof(k) - 1 && strneq(w, k, kl))
    if (KEY("mode")) {
      int m = strneq(v, "sink", 4) ? MODE_SINK : strneq(v, "echo", 4) ? MODE_ECHO : strneq(v, "send", 4) ? MODE_SEND : -1;
      if (m < 0) return bad_arg(w);
      cfg.mode = m;
      end = v + 4;
    } else if (KEY("ip")) end = parse_ip(v, &cfg.ip);
    else if (KEY("peer")) end = parse_ip(v, &cfg.peer);
    else if (KEY("count")) end = parse_u64(v, &cfg.count);
    else if (KEY("size")) end = parse_u64(v, &cfg.size);
    else if (KEY("timeout")) end = parse_u64(v, &cfg.timeout);
    else if (KEY("idle")) end = parse_u64(v, &cfg.idle);
    else if (KEY("cede")) end = parse_u64(v, &cfg.cede);
    else if (KEY("unit")) { end = parse_u64(v, &n); cfg.unit = (u32)n; }
    else if (KEY("signal")) { end = parse_u64(v, &n); cfg.signal = n != 0; }
    else if (KEY("log")) { end = parse_u64(v, &n); cfg.log = n != 0; }
    else if (KEY("multi")) { end = parse_u64(v, &n); cfg.multi = n != 0; }
    else if (KEY("pools")) { /* SIZExCOUNT[,SIZExCOUNT...], smallest first */
      cfg.npools = 0;
      for (;;) {
        u64 sz, c;
        end = parse_u64(end, &sz);
        if (*end != 'x' || cfg.npools == MAX_POOLS) return bad_arg(w);
        end = parse_u64(end + 1, &c);
        if (sz < 24 || sz > 131072 || (sz & 3) || c < 1 || c > MAX_POOL_BUFS) return bad_arg(w);
        cfg.sizes[cfg.npools] = (u32)sz;
        cfg.counts[cfg.npools++] = (u32)c;
        if (*end != ',') break;
        end++;
      }
    } else { /* not ours: skip the word */
      while (*end && *end != ' ') end++;
    }
#undef KEY
    if (*end && *end != ' ') return bad_arg(w);
    s = end;
  }
  if (cfg.mode == MODE_SEND && (cfg.size < STREAM_MIN_FRAME || cfg.size > 65536)) return bad_arg("size");
  return 0;
}

static void kv(const char *k, u64 v) { putc(' '); puts(k); putc('='); put_dec((s64)v); }

static u64 ram_size(void) {
  u32 reg[4];
  dt_node m = dt_find("/memory@0");
  if (dt_getprop(m, "reg", reg, sizeof reg) != 16) return 0;
  return (u64)be32(reg[2]) << 32 | be32(reg[3]);
}

static u64 timebase_hz(void) {
  dt_node cpus = dt_find("/cpus");
  for (dt_node c = -1; cpus >= 0 && (c = dt_child(cpus, c)) >= 0;) {
    u32 f = dt_u32(c, "timebase-frequency", 0);
    if (f) return f;
  }
  return 512000000; /* QEMU pseries */
}

static void result(const char *mode, u64 t0, u64 t1, u64 frames) {
  u64 us = t1 > t0 ? (t1 - t0) * 1000000 / net.tb_hz : 0;
  puts("veth: mode=");
  puts(mode);
  kv("rx", net.frames);
  kv("bytes", net.bytes);
  kv("stream", net.stream);
  kv("gaps", net.gaps);
  kv("dup", net.dup);
  kv("end", net.end);
  kv("arp", net.arp);
  kv("icmp", net.icmp);
  kv("frag", net.frag);
  kv("other", net.other);
  kv("dropped", llan_dropped(&lan));
  for (int i = 0; i < lan.npools; i++) {
    char k[] = "poolN";
    k[4] = (char)('0' + i);
    kv(k, lan.pool[i].hits);
  }
  u64 fails = 0;
  for (int i = 0; i < lan.npools; i++) fails += lan.pool[i].add_fail;
  kv("addfail", fails);
  kv("invalid", lan.rx_invalid + lan.rx_bad_corr);
  kv("tx", lan.tx_frames);
  kv("txfail", lan.tx_fail);
  kv("us", us);
  kv("fps", us ? frames * 1000000 / us : 0);
  putc('\n');
}

static int stop_key(void) { int c = getc_nowait(); return c == 'q'; }

/* cede=US: an idle poll sleeps in H_CEDE until the decrementer fires US microseconds later
 * (the device interrupt stays off). The host CPU rests, and an emulator whose clock counts
 * instructions can skip the idle time. The -bios image has its own vector at 0x900; a -kernel
 * image puts "ba dec_handler" there, in its own byte order (interrupts are taken in it). */
static void cede_setup(int boot) {
  if (boot == BOOT_KERNEL) {
    volatile u32 *vec;
    __asm__("li %0, 0x900" : "=r"(vec)); /* a literal address gcc would flag as out of bounds */
    *vec = 0x48000002u | (u32)((u64)&dec_handler & 0x03fffffcu);
    sync_icache((void *)vec);
  }
  if (GUEST_LE) hcall(H_SET_MODE, 1, H_SET_MODE_RESOURCE_LE, 0, 0, 0, 0, 0);
}

static void cede(u64 ticks) {
  set_dec((u32)(ticks ? ticks : 1));
  s64 rc = hcall(H_CEDE, 0, 0, 0, 0, 0, 0, 0); /* sets MSR[EE]; returns once the decrementer fired */
  irq_disable();
  if (rc != H_SUCCESS) { /* no H_CEDE: keep polling */
    puts("veth: H_CEDE ");
    put_dec(rc);
    puts(", polling instead\n");
    cfg.cede = 0;
  }
}

static void run_rx(void) {
  u64 hz = net.tb_hz, t0 = read_tb(), last = t0, next_key = t0 + hz / 10;
  for (;;) {
    int n = llan_poll(&lan, 16, net_rx);       /* ibmveth's NAPI budget */
    u64 now = read_tb();
    if (n) { llan_replenish(&lan); last = now; }
    if (net.end || (cfg.count && net.stream >= cfg.count)) break;
    if (cfg.timeout && now - t0 >= cfg.timeout * hz) break;
    if (cfg.idle && net.frames && now - last >= cfg.idle * hz) break; /* idle: after the first frame */
    if (!n && now >= next_key) { if (stop_key()) break; next_key = now + hz / 10; }
    if (!n && cfg.cede) cede(cfg.cede * hz / 1000000);
  }
  result(mode_names[cfg.mode], net.first_tb, net.last_tb, net.stream > 1 ? net.stream - 1 : 0);
}

static void run_send(void) {
  u8 *f = (u8 *)lan.tx;
  u64 count = cfg.count ? cfg.count : 1000;
  net_build_stream(f, (u32)cfg.size, lan.mac, cfg.ip, cfg.peer);
  u64 t0 = read_tb();
  for (u64 i = 0; i < count; i++) {
    net_set_seq(f, (u32)i);
    llan_send(&lan, lan.tx, (u32)cfg.size);
  }
  u64 t1 = read_tb();
  net_set_seq(f, STREAM_END);
  for (int i = 0; i < 3; i++) llan_send(&lan, lan.tx, (u32)cfg.size);
  llan_poll(&lan, 1 << 30, net_rx);             /* count whatever arrived meanwhile */
  result("send", t0, t1, count);
}

int cmain(const void *fdt, int boot) {
  u32 power = rt_init(fdt);
  if (dt_init(boot == BOOT_BIOS ? fdt : 0)) {
    puts("veth: no device tree (use -bios, or -kernel with -M pseries,x-vof=on)\n");
    power_off(power);
  }
  if (boot != BOOT_BIOS) { /* the client interface has no stdout-path shortcut: look it up */
    char path[64];
    int l = dt_getprop(dt_find("/chosen"), "stdout-path", path, sizeof path - 1);
    if (l > 0) { path[l] = 0; vty_unit = dt_u32(dt_find(path), "reg", 0); }
    u32 t = dt_u32(dt_find("/rtas"), "power-off", 0);
    if (t) power = t;
  }
  char args[256];
  int l = dt_getprop(dt_find("/chosen"), "bootargs", args, sizeof args - 1);
  if (l <= 1) { /* none given: the patchable default */
    for (l = 0; l < 246 && veth_args[9 + l]; l++) args[l] = veth_args[9 + l];
  }
  args[l < 0 ? 0 : l] = 0;
  if (parse_args(args)) power_off(power);
  net.ip = cfg.ip;
  net.echo = cfg.mode == MODE_ECHO;
  net.log = cfg.log;
  net.tb_hz = timebase_hz();

  u64 ram = ram_size();
  heap_next = HEAP_BASE;
  heap_end = ram > FDT_ROOM ? ram - FDT_ROOM : 0;
  if (llan_probe(&lan, cfg.unit)) { puts("veth: no l-lan device\n"); power_off(power); }
  if (heap_end > lan.win_size) heap_end = lan.win_size;
  lan.multi = cfg.multi;
  int rc = llan_open(&lan, cfg.sizes, cfg.counts, cfg.npools, cfg.signal);
  puts("veth: unit ");
  put_hex(lan.unit);
  puts(" mac ");
  put_mac(lan.mac);
  puts(" irq ");
  put_hex(lan.irq);
  puts(" ip ");
  put_ip(cfg.ip);
  puts(" mode ");
  puts(mode_names[cfg.mode]);
  puts(" dt ");
  puts(dt_source());
  putc('\n');
  if (rc) {
    puts("veth: open failed ");
    put_dec(rc);
    puts(rc == -1 ? " (not enough RAM below the DMA window)\n" : "\n");
    power_off(power);
  }
  puts("veth: attributes ");
  put_dec((s64)lan.attributes);
  puts(lan.multi ? " multi-add" : " single-add");
  puts(" posted");
  for (int i = 0; i < lan.npools; i++) {
    putc(' ');
    put_dec(lan.pool[i].size);
    putc(':');
    put_dec(lan.pool[i].avail);
    putc('/');
    put_dec(lan.pool[i].count);
  }
  puts(" hcalls ");
  put_dec((s64)lan.hcalls);
  puts("\nveth: ready\n");
  if (cfg.cede) cede_setup(boot);
  if (cfg.mode == MODE_SEND) run_send();
  else run_rx();
  llan_close(&lan);
  power_off(power);
}
