// RTAS through QEMU's private hypercall H_RTAS (0xF000): r4 = real address of the argument
// buffer, big-endian 32-bit cells: token, nargs, nret, args[nargs], rets[nret]; rets[0] = status
// (linux-boot.md 6). Tokens are QEMU 7.2's numbers (0x2000 + index, qemu-pseries-7.2.dts /rtas);
// /rtas lists only the services implemented here. An unknown or unimplemented token makes the
// hypercall itself return H_PARAMETER and leaves the buffer untouched, as QEMU 7.2 does
// (measured with guests/hello: token 0x1fff -> H_RTAS -4, status cell unwritten).
import { HCALL, HRC } from '../layout/papr.js';
import type { Machine } from '../machine/machine.js';

export const RTAS_TOKEN_BASE = 0x2000;

/** QEMU 7.2's RTAS services in token order (token = 0x2000 + index). */
export const QEMU_RTAS_SERVICES = [
  'display-character', 'get-time-of-day', 'set-time-of-day', 'power-off', 'system-reboot',
  'query-cpu-stopped-state', 'start-cpu', 'stop-self', 'ibm,get-system-parameter', 'ibm,set-system-parameter',
  'ibm,set-xive', 'ibm,get-xive', 'ibm,int-off', 'ibm,int-on', 'check-exception', 'event-scan',
  'ibm,set-tce-bypass', 'quiesce', 'nvram-fetch', 'nvram-store', 'read-pci-config', 'write-pci-config',
  'ibm,read-pci-config', 'ibm,write-pci-config', 'ibm,query-interrupt-source-number', 'ibm,change-msi',
  'set-indicator', 'set-power-level', 'get-power-level', 'get-sensor-state', 'ibm,configure-connector',
  'ibm,os-term', 'ibm,set-eeh-option', 'ibm,get-config-addr-info2', 'ibm,read-slot-reset-state2',
  'ibm,set-slot-reset', 'ibm,configure-pe', 'ibm,slot-error-detail', 'ibm,query-pe-dma-window',
  'ibm,create-pe-dma-window', 'ibm,remove-pe-dma-window', 'ibm,reset-pe-dma-window', 'ibm,suspend-me',
  'ibm,nmi-register', 'ibm,nmi-interlock',
] as const;

export type RtasServiceName = (typeof QEMU_RTAS_SERVICES)[number];

export function rtasToken(name: RtasServiceName): number {
  return RTAS_TOKEN_BASE + QEMU_RTAS_SERVICES.indexOf(name);
}

/** RTAS status codes (rets[0]). */
export const RTAS_OUT = {
  SUCCESS: 0,
  NO_ERRORS_FOUND: 1,
  HW_ERROR: -1,
  PARAM_ERROR: -3,
} as const;

/** Largest nargs / nret accepted (keeps the buffer small and inside RAM). */
export const RTAS_MAX_CELLS = 64;

/** One call: reads args, writes rets (BE cells in guest RAM). */
export class RtasCall {
  constructor(private readonly m: Machine, readonly token: number, readonly nargs: number,
    readonly nret: number, private readonly base: number) {}

  arg(i: number): number {
    if (i >= this.nargs) throw new RangeError(`RTAS arg ${i} of ${this.nargs}`);
    return this.cell(3 + i);
  }

  /** Cell 3 + i of the buffer whatever nargs says (services QEMU does not check read it so). */
  rawArg(i: number): number {
    return this.cell(3 + i);
  }

  ret(i: number, v: number): void {
    if (i >= this.nret) return; // the caller asked for fewer results
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v >>> 0);
    this.m.writeRam(this.base + 4 * (3 + this.nargs + i), b);
  }

  status(v: number): void { this.ret(0, v); }

  private cell(i: number): number {
    if (this.base + 4 * i + 4 > this.m.ramSize) return 0;
    const b = this.m.readRam(this.base + 4 * i, 4);
    return new DataView(b.buffer).getUint32(0);
  }
}

export type RtasHandler = (call: RtasCall) => void;

export interface RtasHooks {
  /** power-off: the machine stops, exit status 0. */
  powerOff(): void;
  /** system-reboot. */
  reboot(): void;
  /** display-character: one byte to the console; false when there is no console. */
  putChar(c: number): boolean;
  /** Host time in ms since the epoch (default Date.now). */
  now?(): number;
}

/** The RTAS services this machine implements. */
export class Rtas {
  private readonly handlers = new Map<number, RtasHandler>();
  private readonly names = new Map<string, number>();
  /** Guest clock offset from host time (ms), changed by set-time-of-day. */
  private clockOffsetMs = 0;
  /** RTAS calls made, by token (counter). */
  readonly calls = new Map<number, number>();

  constructor(private readonly hooks: RtasHooks) {
    // QEMU 7.2 checks neither nargs nor nret here: with nargs 0 it prints the low byte of the cell
    // where the first argument would be (measured, guests/rtas.c).
    this.define('display-character', (c) => {
      c.status(this.hooks.putChar(c.rawArg(0) & 0xff) ? RTAS_OUT.SUCCESS : RTAS_OUT.HW_ERROR);
    });
    this.define('get-time-of-day', (c) => {
      if (c.nargs !== 0 || c.nret !== 8) return c.status(RTAS_OUT.PARAM_ERROR);
      const d = new Date(this.now() + this.clockOffsetMs);
      c.status(RTAS_OUT.SUCCESS);
      [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(),
        d.getUTCSeconds(), d.getUTCMilliseconds() * 1_000_000].forEach((v, i) => c.ret(i + 1, v));
    });
    this.define('set-time-of-day', (c) => {
      if (c.nargs !== 7 || c.nret !== 1) return c.status(RTAS_OUT.PARAM_ERROR);
      const t = Date.UTC(c.arg(0), c.arg(1) - 1, c.arg(2), c.arg(3), c.arg(4), c.arg(5), Math.floor(c.arg(6) / 1e6));
      if (Number.isNaN(t)) return c.status(RTAS_OUT.PARAM_ERROR);
      this.clockOffsetMs = t - this.now();
      c.status(RTAS_OUT.SUCCESS);
    });
    this.define('power-off', (c) => {
      if (c.nargs !== 2 || c.nret !== 1) return c.status(RTAS_OUT.PARAM_ERROR);
      c.status(RTAS_OUT.SUCCESS);
      this.hooks.powerOff();
    });
    this.define('system-reboot', (c) => {
      if (c.nargs !== 0 || c.nret !== 1) return c.status(RTAS_OUT.PARAM_ERROR);
      c.status(RTAS_OUT.SUCCESS);
      this.hooks.reboot();
    });
    // No event sources are modelled yet: every scan finds nothing (QEMU 7.2 answers the same, measured).
    this.define('event-scan', (c) => {
      if (c.nargs !== 4 || c.nret !== 1) return c.status(RTAS_OUT.PARAM_ERROR);
      c.status(RTAS_OUT.NO_ERRORS_FOUND);
    });
  }

  private now(): number {
    return this.hooks.now ? this.hooks.now() : Date.now();
  }

  /** Adds a service under its QEMU name and token. */
  define(name: RtasServiceName, handler: RtasHandler): void {
    const token = rtasToken(name);
    if (this.handlers.has(token)) throw new Error(`RTAS service ${name} defined twice`);
    this.handlers.set(token, handler);
    this.names.set(name, token);
  }

  /** name -> token of the implemented services (the /rtas properties). */
  tokens(): ReadonlyMap<string, number> {
    return this.names;
  }

  /** Registers H_RTAS on the machine. */
  register(machine: Machine): void {
    machine.registerHcall(HCALL.KVMPPC_H_RTAS, (m) => this.hRtas(m));
  }

  /** H_RTAS: validates the buffer, runs the service. */
  hRtas(m: Machine): number {
    // QEMU masks the top 4 address bits (ppc64_phys_to_real) before use.
    const addr = BigInt.asUintN(60, m.gpr(4));
    if (addr + 12n > BigInt(m.ramSize)) return HRC.H_PARAMETER; // cells may be unaligned, as on QEMU
    const base = Number(addr);
    const hdr = new DataView(m.readRam(base, 12).buffer);
    const [token, nargs, nret] = [hdr.getUint32(0), hdr.getUint32(4), hdr.getUint32(8)];
    const handler = this.handlers.get(token);
    if (!handler) return HRC.H_PARAMETER;
    if (nargs > RTAS_MAX_CELLS || nret > RTAS_MAX_CELLS) return HRC.H_PARAMETER;
    if (base + 4 * (3 + nargs + nret) > m.ramSize) return HRC.H_PARAMETER;
    this.calls.set(token, (this.calls.get(token) ?? 0) + 1);
    handler(new RtasCall(m, token, nargs, nret, base));
    return HRC.H_SUCCESS;
  }
}
