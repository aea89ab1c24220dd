/* workload: an integer benchmark (xorshift fill, shell sort, bitwise CRC-32, FNV-1a, divides)
 * repeated `iterations` times; prints the checksums and powers off. The iteration count sits
 * after the marker "WKLD" (in the guest's byte order) so a benchmark can patch the image. */
#include "rt/rt.h"

#define N 1024
volatile u32 wkld_param[2] = {0x574b4c44u /* 'WKLD' */, 100};

/* Own page(s): data written on a code page makes QEMU TCG invalidate translations on every
 * store (its self-modifying-code path), which would benchmark that path, not the CPU. */
static u32 a[N] __attribute__((aligned(4096)));

static u32 xorshift(u32 *s) {
  u32 x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

static void shell_sort(u32 *v, int n) {
  static const int gaps[] = {701, 301, 132, 57, 23, 10, 4, 1};
  for (int g = 0; g < 8; g++) {
    int gap = gaps[g];
    for (int i = gap; i < n; i++) {
      u32 t = v[i];
      int j = i;
      for (; j >= gap && v[j - gap] > t; j -= gap) v[j] = v[j - gap];
      v[j] = t;
    }
  }
}

static u32 crc32(const u8 *p, u64 n, u32 crc) {
  crc = ~crc;
  for (u64 i = 0; i < n; i++) {
    crc ^= p[i];
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
  }
  return ~crc;
}

static u32 fnv1a(const u32 *v, int n) {
  u32 h = 2166136261u;
  for (int i = 0; i < n; i++) {
    u32 x = v[i];
    for (int b = 0; b < 4; b++) { h ^= (x >> (8 * b)) & 0xff; h *= 16777619u; }
  }
  return h;
}

int cmain(const void *fdt, int boot) {
  (void)boot;
  u32 power = rt_init(fdt);
  u32 iters = wkld_param[1];
  u32 seed = 0x12345678u, crc = 0, fnv = 0;
  u64 acc = 0;
  puts("workload: iterations ");
  put_dec(iters);
  putc('\n');
  for (u32 it = 0; it < iters; it++) {
    for (int i = 0; i < N; i++) a[i] = xorshift(&seed);
    shell_sort(a, N);
    for (int i = 1; i < N; i++) if (a[i - 1] > a[i]) { puts("sort failed\n"); power_off(power); }
    /* CRC over the sorted words as stored (byte order dependent), FNV over their values */
    crc = crc32((const u8 *)a, sizeof a, crc);
    fnv ^= fnv1a(a, N);
    for (int i = 0; i < N; i += 16) acc = acc * 31 + a[i] / 7 + (a[i] % 13) + ((u64)a[i] * a[N - 1 - i] >> 32);
  }
  puts("workload: crc32 ");
  put_hex(crc);
  puts(" fnv ");
  put_hex(fnv);
  puts(" acc ");
  put_hex(acc);
  putc('\n');
  power_off(power);
}
