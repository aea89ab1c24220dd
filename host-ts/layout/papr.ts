// PAPR numbers shared by both languages (scripts/gen-layout.ts emits them for core-as).
// Hypercall numbers and return codes: spec papr-vlan.md 2.1, 2.2; linux-boot.md 3.

/** Hypercall opcodes (r3 at `sc 1`). */
export const HCALL = {
  H_REMOVE: 0x04,
  H_ENTER: 0x08,
  H_READ: 0x0c,
  H_CLEAR_MOD: 0x10,
  H_CLEAR_REF: 0x14,
  H_PROTECT: 0x18,
  H_GET_TCE: 0x1c,
  H_PUT_TCE: 0x20,
  H_SET_SPRG0: 0x24,
  H_SET_DABR: 0x28,
  H_PAGE_INIT: 0x2c,
  H_SET_ASR: 0x30,
  H_ASR_ON: 0x34,
  H_ASR_OFF: 0x38,
  H_LOGICAL_CI_LOAD: 0x3c,
  H_LOGICAL_CI_STORE: 0x40,
  H_LOGICAL_CACHE_LOAD: 0x44,
  H_LOGICAL_CACHE_STORE: 0x48,
  H_LOGICAL_ICBI: 0x4c,
  H_LOGICAL_DCBF: 0x50,
  H_GET_TERM_CHAR: 0x54,
  H_PUT_TERM_CHAR: 0x58,
  H_REAL_TO_LOGICAL: 0x5c,
  H_HYPERVISOR_DATA: 0x60,
  H_EOI: 0x64,
  H_CPPR: 0x68,
  H_IPI: 0x6c,
  H_IPOLL: 0x70,
  H_XIRR: 0x74,
  H_PERFMON: 0x7c,
  H_MIGRATE_DMA: 0x78,
  H_REGISTER_VPA: 0xdc,
  H_CEDE: 0xe0,
  H_CONFER: 0xe4,
  H_PROD: 0xe8,
  H_GET_PPP: 0xec,
  H_SET_PPP: 0xf0,
  H_PURR: 0xf4,
  H_PIC: 0xf8,
  H_REG_CRQ: 0xfc,
  H_FREE_CRQ: 0x100,
  H_VIO_SIGNAL: 0x104,
  H_SEND_CRQ: 0x108,
  H_COPY_RDMA: 0x110,
  H_REGISTER_LOGICAL_LAN: 0x114,
  H_FREE_LOGICAL_LAN: 0x118,
  H_ADD_LOGICAL_LAN_BUFFER: 0x11c,
  H_SEND_LOGICAL_LAN: 0x120,
  H_BULK_REMOVE: 0x124,
  H_MULTICAST_CTRL: 0x130,
  H_SET_XDABR: 0x134,
  H_STUFF_TCE: 0x138,
  H_PUT_TCE_INDIRECT: 0x13c,
  H_CHANGE_LOGICAL_LAN_MAC: 0x14c,
  H_VTERM_PARTNER_INFO: 0x150,
  H_REGISTER_VTERM: 0x154,
  H_FREE_VTERM: 0x158,
  H_XIRR_X: 0x2fc,
  H_RANDOM: 0x300,
  H_SET_MODE: 0x31c,
  H_FREE_LOGICAL_LAN_BUFFER: 0x1d4,
  H_ILLAN_ATTRIBUTES: 0x244,
  H_ADD_LOGICAL_LAN_BUFFERS: 0x248,
  H_CLEAN_SLB: 0x374,
  H_INVALIDATE_PID: 0x378,
  H_REGISTER_PROC_TBL: 0x37c,
  KVMPPC_H_RTAS: 0xf000,
  KVMPPC_H_LOGICAL_MEMOP: 0xf001,
  KVMPPC_H_CAS: 0xf002,
  KVMPPC_H_UPDATE_DT: 0xf003,
  KVMPPC_H_VOF_CLIENT: 0xf005,
} as const;

/** Hypercall return codes (r3 after the call), two's complement. */
export const HRC = {
  H_SUCCESS: 0,
  H_BUSY: 1,
  H_HARDWARE: -1,
  H_FUNCTION: -2,
  H_PRIVILEGE: -3,
  H_PARAMETER: -4,
  H_BAD_MODE: -5,
  H_PTEG_FULL: -6,
  H_NOT_FOUND: -7,
  H_RESERVED_DABR: -8,
  H_NO_MEM: -9,
  H_AUTHORITY: -10,
  H_PERMISSION: -11,
  H_DROPPED: -12,
  H_SOURCE_PARM: -13,
  H_DEST_PARM: -14,
  H_REMOTE_PARM: -15,
  H_RESOURCE: -16,
  H_ADAPTER_PARM: -17,
  H_RH_PARM: -18,
  H_RCQ_PARM: -19,
  H_SCQ_PARM: -20,
  H_EQ_PARM: -21,
  H_RT_PARM: -22,
  H_ST_PARM: -23,
  H_SIGCAUSE_PARM: -24,
  H_TOO_BIG: -25,
  H_UNSUPPORTED_FLAG: -256,
  H_P2: -55,
  H_P3: -56,
  H_P4: -57,
} as const;

/** Why control came back to the host from Wasm (machine.exitReason). */
export const EXIT = {
  EXIT_NONE: 0,
  EXIT_HCALL_HOST: 1,   // a hypercall the host handles (slow path)
  EXIT_SLICE_DONE: 2,   // instruction budget of the run slice used up
  EXIT_IDLE: 3,         // H_CEDE / wait: nothing to run until an interrupt or timer
  EXIT_HALT: 4,         // machine stopped (power-off, fatal)
  EXIT_TX_FULL: 5,      // transmit staging ring needs draining
  EXIT_BREAK: 6,        // host requested a stop
} as const;

/** VIO device kinds (vio.kind). */
export const VIO_KIND = {
  VIO_KIND_NONE: 0,
  VIO_KIND_VTY: 1,
  VIO_KIND_VLAN: 2,
} as const;

export type HcallName = keyof typeof HCALL;
export const HCALL_NAME: Map<number, HcallName> = new Map(
  (Object.entries(HCALL) as [HcallName, number][]).map(([k, v]) => [v, k]),
);
