/* rtas: RTAS argument checking as QEMU 7.2 does it (wrong nargs/nret -> status -3, where QEMU checks),
 * set-time-of-day then get-time-of-day, then power-off. Every call prefills its return cells. */
#include "rt/rt.h"

static void show(const char *what, s64 rc, u32 st) { puts(what); puts(": H_RTAS "); put_dec(rc); puts(" status "); put_dec((s32)st); putc('\n'); }
int cmain(const void *fdt, int boot) {
  u32 power = rt_init(fdt);
  u32 r[8]; s64 rc;
  r[0] = 0x77; rc = rtas_call(0x2001, 1, 8, r, 5); show("get-time-of-day nargs 1", rc, r[0]);
  r[0] = 0x77; rc = rtas_call(0x2001, 0, 1, r); show("get-time-of-day nret 1", rc, r[0]);
  r[0] = 0x77; rc = rtas_call(0x200f, 0, 1, r); show("event-scan nargs 0", rc, r[0]);
  r[0] = 0x77; rc = rtas_call(0x2000, 0, 1, r); show("display-character nargs 0", rc, r[0]);
  r[0] = 0x77; rc = rtas_call(0x2000, 2, 1, r, 0x41, 0x42); show("display-character nargs 2", rc, r[0]);
  r[0] = 0x77; rc = rtas_call(0x2004, 1, 1, r, 0); show("system-reboot nargs 1", rc, r[0]);
  r[0] = 0x77; rc = rtas_call(0x2003, 1, 1, r, 0); show("power-off nargs 1", rc, r[0]);
  r[0] = 0x77; rc = rtas_call(0x2002, 0, 1, r); show("set-time-of-day nargs 0", rc, r[0]);
  r[0] = 0x77; rc = rtas_call(0x2002, 7, 1, r, 2000, 1, 2, 3, 4, 5, 0); show("set-time-of-day 2000-01-02", rc, r[0]);
  rc = rtas_call(0x2001, 0, 8, r); puts("get-time-of-day after: "); put_dec(r[1]); putc('-'); put_dec(r[2]); putc('-'); put_dec(r[3]); putc(' '); put_dec(r[4]); putc(':'); put_dec(r[5]); putc('\n');
  power_off(power);
}
