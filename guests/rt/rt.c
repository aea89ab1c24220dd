/* Guest runtime: console over H_PUT_TERM_CHAR / H_GET_TERM_CHAR, RTAS through H_RTAS,
 * a read-only FDT walker, and the few string helpers a freestanding build needs. */
#include "rt.h"
#include <stdarg.h>

/* 0 = "the vty with the lowest unit address" (papr-vlan.md 2.12); set from the FDT when known. */
u64 vty_unit;

/* ---- strings (gcc may emit calls to memset/memcpy itself) ---- */

u64 strlen(const char *s) { u64 n = 0; while (s[n]) n++; return n; }
int streq(const char *a, const char *b) { while (*a && *a == *b) { a++; b++; } return *a == *b; }
int strneq(const char *a, const char *b, u64 n) {
  for (u64 i = 0; i < n; i++) { if (a[i] != b[i]) return 0; if (!a[i]) return 1; }
  return 1;
}
void *memset(void *d, int c, u64 n) { u8 *p = d; while (n--) *p++ = (u8)c; return d; }
void *memcpy(void *d, const void *s, u64 n) { u8 *p = d; const u8 *q = s; while (n--) *p++ = *q++; return d; }

/* ---- console ---- */

static char obuf[16];
static int olen;

/* Up to 16 bytes per H_PUT_TERM_CHAR, first byte in the most significant byte of r6. */
void con_flush(void) {
  u64 w[2] = {0, 0};
  for (int i = 0; i < olen; i++) w[i / 8] |= (u64)(u8)obuf[i] << (56 - 8 * (i % 8));
  if (olen) hcall(H_PUT_TERM_CHAR, vty_unit, olen, w[0], w[1], 0, 0, 0);
  olen = 0;
}

void putc(char c) {
  obuf[olen++] = c;
  if (olen == 16 || c == '\n') con_flush();
}

void puts(const char *s) { while (*s) putc(*s++); }

void put_hex(u64 v) {
  char t[19];
  int i = 18;
  t[i] = 0;
  do { t[--i] = "0123456789abcdef"[v & 15]; v >>= 4; } while (v);
  t[--i] = 'x';
  t[--i] = '0';
  puts(t + i);
}

void put_dec(s64 v) {
  char t[24];
  int i = 23;
  u64 u = v < 0 ? -(u64)v : (u64)v;
  t[i] = 0;
  do { t[--i] = (char)('0' + u % 10); u /= 10; } while (u);
  if (v < 0) t[--i] = '-';
  puts(t + i);
}

static u8 ibuf[16];
static int ihead, icount;

int getc_nowait(void) {
  if (!icount) {
    u64 out[3];
    if (hcall(H_GET_TERM_CHAR, vty_unit, 0, 0, 0, 0, 0, out) != H_SUCCESS) return -1;
    icount = (int)out[0];
    ihead = 0;
    for (int i = 0; i < icount; i++) ibuf[i] = (u8)(out[1 + i / 8] >> (56 - 8 * (i % 8)));
    if (!icount) return -1;
  }
  icount--;
  return ibuf[ihead++];
}

/* ---- RTAS ---- */

/* Buffer: token, nargs, nret, args..., rets... as big-endian cells (linux-boot.md 6). */
static u32 rtas_buf[16] __attribute__((aligned(8)));

s64 rtas_call(u32 token, int nargs, int nret, u32 *rets, ...) {
  va_list ap;
  rtas_buf[0] = be32(token);
  rtas_buf[1] = be32((u32)nargs);
  rtas_buf[2] = be32((u32)nret);
  va_start(ap, rets);
  for (int i = 0; i < nargs; i++) rtas_buf[3 + i] = be32(va_arg(ap, u32));
  va_end(ap);
  for (int i = 0; i < nret; i++) rtas_buf[3 + nargs + i] = be32(0xdeadbeef);
  s64 rc = hcall(H_RTAS, (u64)rtas_buf, 0, 0, 0, 0, 0, 0);
  if (rc != H_SUCCESS) return rc;
  for (int i = 0; i < nret; i++) rets[i] = be32(rtas_buf[3 + nargs + i]);
  return 0;
}

void power_off(u32 token) {
  u32 st;
  con_flush();
  rtas_call(token, 2, 1, &st, 0xffffffffu, 0xffffffffu);
  puts("power-off returned\n");
  for (;;) {}
}

/* ---- FDT (v17 blob: header, structure block of BE tokens, strings block) ---- */

#define FDT_MAGIC 0xd00dfeed
#define FDT_BEGIN_NODE 1
#define FDT_END_NODE 2
#define FDT_PROP 3
#define FDT_NOP 4
#define FDT_END 9

static u32 rd32(const void *p) { return be32(*(const u32 *)p); }
u32 fdt_cell(const void *p, int i) { return rd32((const u8 *)p + 4 * i); }

static const u8 *fstruct(const void *fdt) { return (const u8 *)fdt + rd32((const u8 *)fdt + 8); }
static const char *fstrings(const void *fdt) { return (const char *)fdt + rd32((const u8 *)fdt + 12); }

int fdt_valid(const void *fdt) {
  return fdt && ((u64)fdt & 3) == 0 && rd32(fdt) == FDT_MAGIC && rd32((const u8 *)fdt + 20) >= 16;
}

const char *fdt_node_name(const void *fdt, int node) { return (const char *)(fstruct(fdt) + node + 4); }

static int align4(int x) { return (x + 3) & ~3; }

/* Offset just after the BEGIN_NODE token and name of the node at `node`. */
static int node_body(const void *fdt, int node) {
  return node + 4 + align4((int)strlen(fdt_node_name(fdt, node)) + 1);
}

/* Skips the node at `off` (a BEGIN_NODE) entirely; returns the offset after its END_NODE. */
static int skip_node(const void *fdt, int off) {
  const u8 *s = fstruct(fdt);
  int depth = 0;
  for (;;) {
    u32 tok = rd32(s + off);
    if (tok == FDT_BEGIN_NODE) { depth++; off = node_body(fdt, off); }
    else if (tok == FDT_END_NODE) { off += 4; if (--depth == 0) return off; }
    else if (tok == FDT_PROP) off += 12 + align4((int)rd32(s + off + 4));
    else if (tok == FDT_NOP) off += 4;
    else return -1;
  }
}

int fdt_next_child(const void *fdt, int node, int prev) {
  const u8 *s = fstruct(fdt);
  int off = prev < 0 ? node_body(fdt, node) : skip_node(fdt, prev);
  for (;;) {
    if (off < 0) return -1;
    u32 tok = rd32(s + off);
    if (tok == FDT_PROP) off += 12 + align4((int)rd32(s + off + 4));
    else if (tok == FDT_NOP) off += 4;
    else if (tok == FDT_BEGIN_NODE) return off;
    else return -1;
  }
}

const void *fdt_prop(const void *fdt, int node, const char *name, int *len) {
  const u8 *s = fstruct(fdt);
  int off = node_body(fdt, node);
  for (;;) {
    u32 tok = rd32(s + off);
    if (tok == FDT_NOP) { off += 4; continue; }
    if (tok != FDT_PROP) return 0;
    int l = (int)rd32(s + off + 4);
    if (streq(fstrings(fdt) + rd32(s + off + 8), name)) {
      if (len) *len = l;
      return s + off + 12;
    }
    off += 12 + align4(l);
  }
}

int fdt_path(const void *fdt, const char *path) {
  int node = 0; /* the root node starts the structure block */
  if (rd32(fstruct(fdt)) != FDT_BEGIN_NODE) return -1;
  while (*path == '/') path++;
  while (*path) {
    u64 n = 0;
    while (path[n] && path[n] != '/') n++;
    int c = -1, found = -1;
    while ((c = fdt_next_child(fdt, node, c)) >= 0) {
      const char *nm = fdt_node_name(fdt, c);
      if (strneq(nm, path, n) && nm[n] == 0) { found = c; break; }
    }
    if (found < 0) return -1;
    node = found;
    path += n;
    while (*path == '/') path++;
  }
  return node;
}

/* Console unit and power-off token from the tree when there is one; else the vty-0 rule and
 * QEMU's fixed token (0x2003, qemu-pseries-7.2.dts /rtas). */
u32 rt_init(const void *fdt) {
  u32 power = 0x2003;
  int len;
  if (!fdt_valid(fdt)) return power;
  int chosen = fdt_path(fdt, "/chosen");
  const char *out = chosen >= 0 ? fdt_prop(fdt, chosen, "stdout-path", &len) : 0;
  int vty = out ? fdt_path(fdt, out) : -1;
  const void *reg = vty >= 0 ? fdt_prop(fdt, vty, "reg", &len) : 0;
  if (reg && len == 4) vty_unit = fdt_cell(reg, 0);
  int rtas = fdt_path(fdt, "/rtas");
  const void *p = rtas >= 0 ? fdt_prop(fdt, rtas, "power-off", &len) : 0;
  if (p && len == 4) power = fdt_cell(p, 0);
  return power;
}
