/* Device-tree access for both ways a guest can be started:
 * - -bios: QEMU passes the flattened tree in r3 (read with rt/rt.c's FDT walker);
 * - -kernel with x-vof=on: no tree in RAM; the guest asks the firmware through the Open Firmware
 *   client interface. Like VOF's own entry stub (papr-vlan.md 1.6) we make the KVMPPC_H_VOF_CLIENT
 *   hypercall directly, which works in either byte order (the argument block is big-endian). */
#include "veth.h"

#define H_VOF_CLIENT 0xf005

static const void *blob; /* the FDT, or 0 when using the client interface */

/* Client-interface call: argument block of BE cells {service, nargs, nret, args..., rets...}. */
static u32 ci_buf[16] __attribute__((aligned(8)));

static int ci_call(const char *service, int nargs, int nret, const u32 *args, u32 *rets) {
  ci_buf[0] = be32((u32)(u64)service);
  ci_buf[1] = be32((u32)nargs);
  ci_buf[2] = be32((u32)nret);
  for (int i = 0; i < nargs; i++) ci_buf[3 + i] = be32(args[i]);
  for (int i = 0; i < nret; i++) ci_buf[3 + nargs + i] = be32(0xffffffffu);
  if (hcall(H_VOF_CLIENT, (u64)ci_buf, 0, 0, 0, 0, 0, 0) != H_SUCCESS) return -1;
  for (int i = 0; i < nret; i++) rets[i] = be32(ci_buf[3 + nargs + i]);
  return 0;
}

int dt_init(const void *fdt) {
  if (fdt_valid(fdt)) { blob = fdt; return 0; }
  blob = 0;
  u32 a[1] = {(u32)(u64)"/"}, r[1];
  return ci_call("finddevice", 1, 1, a, r) == 0 && r[0] != 0xffffffffu && r[0] != 0 ? 0 : -1;
}

const char *dt_source(void) { return blob ? "fdt" : "client-interface"; }

dt_node dt_find(const char *path) {
  if (blob) return fdt_path(blob, path);
  u32 a[1] = {(u32)(u64)path}, r[1];
  if (ci_call("finddevice", 1, 1, a, r) || r[0] == 0xffffffffu || r[0] == 0) return -1;
  return r[0];
}

dt_node dt_child(dt_node parent, dt_node prev) {
  if (blob) return fdt_next_child(blob, (int)parent, prev < 0 ? -1 : (int)prev);
  u32 a[1] = {(u32)(prev < 0 ? parent : prev)}, r[1];
  if (ci_call(prev < 0 ? "child" : "peer", 1, 1, a, r) || r[0] == 0 || r[0] == 0xffffffffu) return -1;
  return r[0];
}

int dt_getprop(dt_node n, const char *name, void *buf, int buflen) {
  if (n < 0) return -1;
  if (blob) {
    int len;
    const void *p = fdt_prop(blob, (int)n, name, &len);
    if (!p) return -1;
    memcpy(buf, p, (u64)(len < buflen ? len : buflen));
    return len;
  }
  u32 a[4] = {(u32)n, (u32)(u64)name, (u32)(u64)buf, (u32)buflen}, r[1];
  if (ci_call("getprop", 4, 1, a, r)) return -1;
  return (s32)r[0];
}

u32 dt_u32(dt_node n, const char *name, u32 dflt) {
  u32 v;
  return dt_getprop(n, name, &v, 4) == 4 ? be32(v) : dflt;
}
