/* hello: prints to the vty, reads the device tree (-bios), takes a decrementer interrupt,
 * makes hypercalls and RTAS calls, and powers the machine off. Every line it prints is the
 * same on QEMU 7.2 and on pseries-wasm (no clocks, no addresses that differ). */
#include "rt/rt.h"

#define H_FUNCTION (-2)
#define H_SET_MODE_RESOURCE_LE 4

/* QEMU pseries numbers its RTAS tokens from 0x2000 in a fixed order (qemu-pseries-7.2.dts /rtas);
 * a guest entered without a device tree (-kernel) uses these, a -bios guest reads /rtas. */
static u32 tok_power_off = 0x2003, tok_get_time = 0x2001, tok_display = 0x2000, tok_event_scan = 0x200f;

static u32 token(const void *fdt, int rtas, const char *name, u32 dflt) {
  int len;
  const void *p = fdt_prop(fdt, rtas, name, &len);
  return p && len == 4 ? fdt_cell(p, 0) : dflt;
}

static void read_tree(const void *fdt) {
  int len;
  int chosen = fdt_path(fdt, "/chosen");
  const char *out = chosen >= 0 ? fdt_prop(fdt, chosen, "stdout-path", &len) : 0;
  if (out) {
    int vty = fdt_path(fdt, out);
    const void *reg = vty >= 0 ? fdt_prop(fdt, vty, "reg", &len) : 0;
    if (reg && len == 4) vty_unit = fdt_cell(reg, 0);
  }
  puts("fdt: stdout-path ");
  puts(out ? out : "(none)");
  puts(" unit ");
  put_hex(vty_unit);
  putc('\n');
  const char *args = chosen >= 0 ? fdt_prop(fdt, chosen, "bootargs", &len) : 0;
  puts("fdt: bootargs \"");
  puts(args ? args : "");
  puts("\"\n");
  int vdev = fdt_path(fdt, "/vdevice");
  for (int c = -1; vdev >= 0 && (c = fdt_next_child(fdt, vdev, c)) >= 0;) {
    const char *compat = fdt_prop(fdt, c, "compatible", &len);
    puts("fdt: /vdevice/");
    puts(fdt_node_name(fdt, c));
    puts(" compatible ");
    puts(compat ? compat : "(none)");
    putc('\n');
  }
  int rtas = fdt_path(fdt, "/rtas");
  if (rtas >= 0) {
    tok_power_off = token(fdt, rtas, "power-off", 0);
    tok_get_time = token(fdt, rtas, "get-time-of-day", 0);
    tok_display = token(fdt, rtas, "display-character", 0);
    tok_event_scan = token(fdt, rtas, "event-scan", 0);
  }
  puts("fdt: rtas power-off ");
  put_hex(tok_power_off);
  puts(" get-time-of-day ");
  put_hex(tok_get_time);
  putc('\n');
}

#if !GUEST_LE
/* Open Firmware client interface (entered at r5, big-endian): one call, cells are 32-bit BE. */
typedef u32 (*ci_entry_fn)(u32 *args);

static u32 ci_call(u64 entry, const char *service, int nargs, int nret, u32 *rets, ...) {
  u32 args[16];
  __builtin_va_list ap;
  args[0] = (u32)(u64)service;
  args[1] = (u32)nargs;
  args[2] = (u32)nret;
  __builtin_va_start(ap, rets);
  for (int i = 0; i < nargs; i++) args[3 + i] = __builtin_va_arg(ap, u32);
  __builtin_va_end(ap);
  for (int i = 0; i < nret; i++) args[3 + nargs + i] = 0xdeadbeef;
  u32 r = ((ci_entry_fn)entry)(args);
  for (int i = 0; i < nret; i++) rets[i] = args[3 + nargs + i];
  return r;
}

/* Reads the console and the power-off token through the client interface (SLOF, VOF, ours). */
static void read_tree_ci(u64 entry) {
  u32 chosen, ih = 0, pkg, rtas, len, reg = 0, tok = 0;
  char path[64];
  ci_call(entry, "finddevice", 1, 1, &chosen, (u32)(u64)"/chosen");
  ci_call(entry, "getprop", 4, 1, &len, chosen, (u32)(u64)"stdout", (u32)(u64)&ih, 4);
  ci_call(entry, "instance-to-path", 3, 1, &len, ih, (u32)(u64)path, (u32)sizeof path);
  path[len < sizeof path ? len : sizeof path - 1] = 0;
  ci_call(entry, "instance-to-package", 1, 1, &pkg, ih);
  ci_call(entry, "getprop", 4, 1, &len, pkg, (u32)(u64)"reg", (u32)(u64)&reg, 4);
  if (len == 4) vty_unit = reg;
  ci_call(entry, "finddevice", 1, 1, &rtas, (u32)(u64)"/rtas");
  ci_call(entry, "getprop", 4, 1, &len, rtas, (u32)(u64)"power-off", (u32)(u64)&tok, 4);
  if (len == 4) tok_power_off = tok;
  puts("ci: stdout ");
  puts(path);
  puts(" unit ");
  put_hex(vty_unit);
  puts(" rtas power-off ");
  put_hex(tok_power_off);
  putc('\n');
}
#endif

static void decrementer(int boot) {
  if (boot == BOOT_KERNEL) {
    /* Loaded at 0x400000: put "ba dec_handler" at the real-mode vector (the -bios image has
     * its own branch there). Stored in our byte order: interrupts run in it (ILE set for LE). */
    u64 target = (u64)&dec_handler;
    volatile u32 *vec;
    __asm__("li %0, 0x900" : "=r"(vec)); /* a literal address gcc would flag as out of bounds */
    *vec = 0x48000002u | (u32)(target & 0x03fffffcu);
    sync_icache((void *)vec);
  }
  dec_count = 0;
  set_dec(2000);
  irq_enable();
  for (u64 spins = 0; dec_count == 0 && spins < 100000000; spins++) {}
  irq_disable();
  puts("decrementer interrupts: ");
  put_dec((s64)dec_count);
  putc('\n');
}

int cmain(const void *fdt, int boot) {
  puts("hello from a ");
  puts(GUEST_LE ? "little" : "big");
  puts("-endian guest (");
  puts(boot == BOOT_BIOS ? "-bios" : "-kernel");
  puts(")\n");
#ifndef PROBE_ENTRY
  if (boot == BOOT_BIOS)
#endif
  {
    puts("entry: r1 ");
    put_hex(entry_regs[0]);
    puts(" r3 ");
    put_hex(entry_regs[1]);
    puts(" r4 ");
    put_hex(entry_regs[2]);
    puts(" r5 ");
    put_hex(entry_regs[3]);
    puts(" msr ");
    put_hex(entry_regs[4]);
    putc('\n');
  }
  if (boot == BOOT_BIOS) {
    if (!fdt_valid(fdt)) {
      puts("no device tree at r3\n");
    } else {
      read_tree(fdt);
    }
  }
#if !GUEST_LE
  if (boot == BOOT_KERNEL && entry_regs[3]) read_tree_ci(entry_regs[3]);
#endif
  u64 msr = read_msr();
  puts("msr: sf ");
  put_dec((s64)(msr >> 63));
  puts(" le ");
  put_dec((s64)(msr & 1));
  puts(" ir/dr ");
  put_dec((s64)((msr >> 4) & 3));
  puts(" pvr ");
  put_hex(read_pvr());
  putc('\n');
#if GUEST_LE
  /* Interrupts must be delivered little-endian: H_SET_MODE(mflags 1 = LE, resource 4). */
  puts("H_SET_MODE(LE): ");
  put_dec(hcall(H_SET_MODE, 1, H_SET_MODE_RESOURCE_LE, 0, 0, 0, 0, 0));
  putc('\n');
#endif
  decrementer(boot);
  puts("hcall 0x1234: ");
  put_dec(hcall(0x1234, 0, 0, 0, 0, 0, 0, 0));
  puts(" (H_FUNCTION is ");
  put_dec(H_FUNCTION);
  puts(")\n");
  puts("H_PUT_TERM_CHAR len 17: ");
  put_dec(hcall(H_PUT_TERM_CHAR, vty_unit, 17, 0, 0, 0, 0, 0));
  putc('\n');
  puts("H_PUT_TERM_CHAR 16 bytes: ");
  con_flush();
  hcall(H_PUT_TERM_CHAR, vty_unit, 16, 0x3031323334353637ul, 0x3839616263646566ul, 0, 0, 0);
  putc('\n');

  u32 t[8];
  s64 rc = rtas_call(tok_get_time, 0, 8, t);
  puts("rtas get-time-of-day: status ");
  put_dec(rc ? rc : (s32)t[0]);
  puts(t[1] >= 2024 && t[2] >= 1 && t[2] <= 12 && t[3] >= 1 && t[3] <= 31 ? ", date ok\n" : ", date bad\n");
  u32 st;
  rtas_call(tok_event_scan, 4, 1, &st, 0xffffffffu, 0, 0, 0);
  puts("rtas event-scan: status ");
  put_dec((s32)st);
  putc('\n');
  st = 0x12345678;
  rc = rtas_call(0x1fff, 0, 1, &st);
  puts("rtas token 0x1fff: H_RTAS ");
  put_dec(rc);
  puts(" status ");
  put_hex(st);
  putc('\n');
  puts("rtas display-character: ");
  con_flush();
  const char *msg = "RTAS\n";
  for (int i = 0; msg[i]; i++) rtas_call(tok_display, 1, 1, &st, (u32)msg[i]);
  puts("powering off\n");
  power_off(tok_power_off);
}
