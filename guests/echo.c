/* echo: reads console input with H_GET_TERM_CHAR and prints each non-empty batch in hex until it
 * has read a 'q', then powers off. Shows the vty input path, including QEMU's rule that a batch
 * ends after a CR when a NUL follows it (papr-vlan.md 2.12). */
#include "rt/rt.h"

int cmain(const void *fdt, int boot) {
  (void)boot;
  u32 power = rt_init(fdt);
  puts("echo: send bytes, 'q' ends\n");
  int total = 0, quit = 0;
  while (!quit) {
    u64 out[3];
    if (hcall(H_GET_TERM_CHAR, vty_unit, 0, 0, 0, 0, 0, out) != H_SUCCESS) {
      puts("H_GET_TERM_CHAR failed\n");
      break;
    }
    if (!out[0]) continue;
    puts("[");
    for (u64 i = 0; i < out[0]; i++) {
      u64 c = (out[1 + i / 8] >> (56 - 8 * (i % 8))) & 0xff;
      put_hex(c);
      putc(i + 1 < out[0] ? ' ' : ']');
      if (c == 'q') quit = 1;
    }
    putc('\n');
    total += (int)out[0];
  }
  puts("echo: ");
  put_dec(total);
  puts(" bytes\n");
  power_off(power);
}
