/* Guest runtime: a libc-free environment for bare-metal pseries guests (both byte orders).
 * Everything the platform defines as big-endian (FDT, RTAS argument buffers) goes through be32(). */
#ifndef RT_H
#define RT_H

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long u64;
typedef long s64;
typedef int s32;

#define H_SUCCESS 0
#define H_GET_TERM_CHAR 0x54
#define H_PUT_TERM_CHAR 0x58
#define H_SET_MODE 0x31c
#define H_RTAS 0xf000 /* QEMU's private hcall behind the RTAS blob (linux-boot.md 6) */

/* How the guest was entered (start code passes it to cmain). */
#define BOOT_BIOS 0   /* -bios raw image at 0, r3 = FDT (linux-boot.md 5, issue 3) */
#define BOOT_KERNEL 1 /* -kernel ELF at 0x400000, entered by firmware or directly */

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define GUEST_LE 1
static inline u32 be32(u32 v) { return __builtin_bswap32(v); }
#else
#define GUEST_LE 0
static inline u32 be32(u32 v) { return v; }
#endif

/* hcall.S: r3 = op, r4..r9 = args; r3 returned, r4..r6 after the call stored in out[0..2] if out. */
s64 hcall(u64 op, u64 a1, u64 a2, u64 a3, u64 a4, u64 a5, u64 a6, u64 *out);

/* start code */
extern u64 entry_regs[5];              /* r1, r3, r4, r5, MSR at entry (-bios, BE -kernel) */
extern volatile u64 dec_count;           /* incremented by the 0x900 handler */
void dec_handler(void);                  /* address for the vector branch */
void set_dec(u32 ticks);
void irq_enable(void);
void irq_disable(void);
u64 read_msr(void);
u64 read_tb(void);
u64 read_pvr(void);
void sync_icache(void *p);

/* console */
extern u64 vty_unit;
void putc(char c);
void con_flush(void); /* sends buffered output now */
void puts(const char *s);
void put_hex(u64 v);
void put_dec(s64 v);
int getc_nowait(void); /* -1 when no input */

/* strings */
u64 strlen(const char *s);
int streq(const char *a, const char *b);
int strneq(const char *a, const char *b, u64 n);
void *memset(void *d, int c, u64 n);
void *memcpy(void *d, const void *s, u64 n);

/* RTAS (argument buffer of BE 32-bit cells: token, nargs, nret, args, rets) */
s64 rtas_call(u32 token, int nargs, int nret, u32 *rets, ...);

/* FDT reader (read-only walk of a v17 blob) */
int fdt_valid(const void *fdt);
/* Offset of the node at absolute `path` ("/chosen", "/vdevice/vty@71000000"), or -1. */
int fdt_path(const void *fdt, const char *path);
/* Property value of the node at `node` (or 0), its length in *len. */
const void *fdt_prop(const void *fdt, int node, const char *name, int *len);
/* Visits direct children of `node`: returns the next child offset after `prev` (-1 = first), or -1. */
int fdt_next_child(const void *fdt, int node, int prev);
const char *fdt_node_name(const void *fdt, int node);
u32 fdt_cell(const void *p, int i);

void power_off(u32 token) __attribute__((noreturn));
u32 rt_init(const void *fdt); /* sets vty_unit, returns the power-off token */

#endif
