// Conformance fixture of spec section 9: one VLAN device, U = 0x71000002, pools on, signal_state 0,
// standard mappings (buffer list at IOVA 0x1000, filter page 0x2000, RX queue 0x3000, buffers from
// 0x10000), REG = H_REGISTER(U, 0x1000, RQD, 0x2000, 0). Guest real address = IOVA + GPA_OFFSET so
// that a missing translation shows up as wrong bytes.
import { expect } from 'vitest';
import { createMachine } from '../../host-ts/machine/create-machine.js';
import type { Machine } from '../../host-ts/machine/machine.js';
import type { SpaprVlan } from '../../host-ts/devices/spapr-vlan.js';
import type { SpaprVlanOptions } from '../../host-ts/devices/vlan-props.js';
import { HCALL, HRC } from '../../host-ts/layout/papr.js';

export const U = 0x71000002;
export const NO_DEV = 0x71000099;
export const GPA_OFFSET = 0x100000;
export const BL = 0x1000;
export const FL = 0x2000;
export const RQ = 0x3000;
export const RQD = 0x8000_0100_0000_3000n;
export const H = HCALL;
export const R = Object.fromEntries(Object.entries(HRC).map(([k, v]) => [k, BigInt(v)])) as { [K in keyof typeof HRC]: bigint };

export function BD(len: number, iova: number): bigint {
  return 0x8000_0000_0000_0000n | (BigInt(len) << 32n) | BigInt(iova);
}

export interface Fx {
  m: Machine;
  dev: SpaprVlan;
  hc(op: number, ...args: (number | bigint)[]): bigint;
  map(iova: number, perm?: number, gpa?: number): void;
  mapRange(iova: number, len: number, perm?: number): void;
  reg(rqd?: bigint): void;
  add(len: number, iova: number): bigint;
  /** Bytes at IOVA (through the standard identity+offset mapping). */
  mem(iova: number, len: number): number[];
  write(iova: number, bytes: number[] | Uint8Array): void;
  bl(a: number, b: number): number[];
  rq(a: number, b: number): number[];
  counter(): bigint;
  frame(n: number, seed?: number): Uint8Array;
  advanceUs(us: number): void;
}

export function fixture(opts: SpaprVlanOptions = {}, ramSize = 4 << 20): Fx {
  const { machine: m, vlans } = createMachine({ ramSize, vlans: [{ reg: U, ...opts }] });
  const dev = vlans[0];
  const fx: Fx = {
    m,
    dev,
    hc: (op, ...args) => m.hcall(op, ...args).ret,
    map(iova, perm = 3, gpa = iova + GPA_OFFSET) {
      expect(m.hcall(H.H_PUT_TCE, U, iova, BigInt(gpa) | BigInt(perm)).ret).toBe(0n);
    },
    mapRange(iova, len, perm = 3) {
      for (let a = iova; a < iova + len; a += 4096) fx.map(a, perm);
    },
    reg(rqd = RQD) {
      expect(m.hcall(H.H_REGISTER_LOGICAL_LAN, U, BL, rqd, FL, 0).ret).toBe(0n);
    },
    add(len, iova) {
      return m.hcall(H.H_ADD_LOGICAL_LAN_BUFFER, U, BD(len, iova)).ret;
    },
    mem: (iova, len) => [...m.readRam(iova + GPA_OFFSET, len)],
    write: (iova, bytes) => m.writeRam(iova + GPA_OFFSET, Uint8Array.from(bytes)),
    bl: (a, b) => fx.mem(BL + a, b - a),
    rq: (a, b) => fx.mem(RQ + a, b - a),
    counter: () => m.readBe64(BL + 4088 + GPA_OFFSET),
    frame(n, seed = 0xf0) {
      return Uint8Array.from({ length: n }, (_, i) => (seed + i) & 0xff);
    },
    advanceUs: (us) => m.advance(BigInt(us) * 1000n),
  };
  // Standard mappings (spec 9 fixture).
  fx.map(BL);
  fx.map(FL);
  fx.map(RQ);
  return fx;
}

/** Big-endian bytes of a u64. */
export function be64(v: bigint): number[] {
  return Array.from({ length: 8 }, (_, i) => Number((v >> BigInt(56 - 8 * i)) & 0xffn));
}
