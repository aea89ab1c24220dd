// The Open Firmware client interface of a `-kernel` boot without `-bios` (QEMU's x-vof=on, done
// natively as linux-boot.md 2.1 recommends). The kernel calls the entry in r5 with r3 = an argument
// block of big-endian 32-bit cells: service-name pointer, nargs, nret, args, rets. Our stub
// (entry-state.ts ciStub) turns that into hypercall KVMPPC_H_VOF_CLIENT (0xF005) with r4 = the
// block, served here from the machine's device tree. Call shapes: linux-boot.md 2.2.
// Not implemented yet: call-method "ibm,client-architecture-support" (answers catch-result -1,
// i.e. CAS failed), interpret, boot, enter, seek. Unknown services: H_PARAMETER from the hypercall.
import { HCALL, HRC } from '../layout/papr.js';
import type { Machine } from '../machine/machine.js';
import { DtNode, dtCells } from '../devtree/dt-node.js';
import type { Reserved } from './elf-loader.js';

/** Largest nargs + nret accepted (prom_init's block has 10 cells). */
export const CI_MAX_CELLS = 16;
const NAME_MAX = 256;
const PATH_MAX = 1024;

export interface ClientInterfaceHooks {
  /** Bytes written to the stdout instance. */
  write(bytes: Uint8Array): void;
  /** Up to `max` bytes of console input (may be empty). */
  read(max: number): Uint8Array;
  /** The client called `exit`. */
  exit(): void;
}

/** Our RTAS blob for instantiate-rtas: r4 = r3 (argument buffer), r3 = H_RTAS, sc 1, blr. */
export function rtasBlob(): Uint8Array {
  const words = [0x7c641b78, 0x3c600000, 0x6063f000, 0x44000022, 0x4e800020];
  const out = new Uint8Array(20);
  words.forEach((w, i) => new DataView(out.buffer).setUint32(i * 4, w));
  return out;
}

const u32 = (v: number): number => v >>> 0;
const MINUS_1 = 0xffffffff;

export class ClientInterface {
  private readonly byHandle = new Map<number, DtNode>();
  private readonly handleOf = new Map<DtNode, number>();
  private readonly parentOf = new Map<DtNode, DtNode>();
  private readonly instances = new Map<number, DtNode>();
  private nextIhandle = 1;
  private readonly claimed: { start: number; end: number }[] = [];
  /** Calls served, by service name (counter). */
  readonly calls = new Map<string, number>();

  /**
   * Gives every node a phandle (existing "phandle" properties are kept; the others are numbered
   * depth-first from the highest + 1 and added as properties, as QEMU does for VOF), opens the
   * console as ihandle 1 (/chosen/stdout), and records the memory already in use.
   */
  constructor(private readonly root: DtNode, private readonly hooks: ClientInterfaceHooks,
    private readonly ramSize: number, opts: { stdoutPath?: string; inUse?: Reserved[] } = {}) {
    let max = 0;
    const walk = (n: DtNode, f: (n: DtNode) => void): void => { f(n); for (const c of n.children) { this.parentOf.set(c, n); walk(c, f); } };
    walk(root, (n) => {
      const p = n.props.get('phandle');
      if (p && p.length === 4) {
        const h = new DataView(p.buffer, p.byteOffset).getUint32(0);
        this.byHandle.set(h, n);
        this.handleOf.set(n, h);
        max = Math.max(max, h);
      }
    });
    walk(root, (n) => {
      if (this.handleOf.has(n)) return;
      const h = ++max;
      n.props.set('phandle', dtCells([h]));
      this.byHandle.set(h, n);
      this.handleOf.set(n, h);
    });
    if (opts.stdoutPath) {
      const out = this.resolve(opts.stdoutPath);
      if (out) {
        const ih = this.open(out);
        root.child('chosen').setCells('stdout', ih);
      }
    }
    for (const r of opts.inUse ?? []) this.claimed.push({ start: r.start, end: r.end });
    this.updateAvailable();
  }

  /** memory@0 "available": the RAM not claimed, as (address, size) pairs of 64-bit values (VOF). */
  private updateAvailable(): void {
    const mem = this.root.find('memory@0');
    if (!mem) return;
    const cells: bigint[] = [];
    let at = 0;
    for (const c of [...this.claimed].sort((x, y) => x.start - y.start)) {
      if (c.start > at) cells.push(BigInt(at), BigInt(c.start - at));
      at = Math.max(at, c.end);
    }
    if (at < this.ramSize) cells.push(BigInt(at), BigInt(this.ramSize - at));
    const rest = new Map(mem.props);
    mem.props.clear();
    mem.setU64s('available', ...cells);
    for (const [k, v] of rest) if (k !== 'available') mem.props.set(k, v);
  }

  register(m: Machine): void {
    m.registerHcall(HCALL.KVMPPC_H_VOF_CLIENT, (mm) => this.call(mm));
  }

  phandle(n: DtNode): number {
    return this.handleOf.get(n) ?? 0;
  }

  private open(n: DtNode): number {
    const ih = this.nextIhandle++;
    this.instances.set(ih, n);
    return ih;
  }

  /** The node at an absolute path; a component without "@unit" matches a node whose name before '@' is equal. */
  resolve(path: string): DtNode | undefined {
    if (!path.startsWith('/')) return undefined;
    let n: DtNode | undefined = this.root;
    for (const part of path.split('/').filter(Boolean)) {
      const kids: DtNode[] = n.children;
      n = kids.find((c) => c.name === part) ?? (part.includes('@') ? undefined : kids.find((c) => c.name.split('@')[0] === part));
      if (!n) return undefined;
    }
    return n;
  }

  pathOf(n: DtNode): string {
    const parts: string[] = [];
    for (let c: DtNode | undefined = n; c && c !== this.root; c = this.parentOf.get(c)) parts.unshift(c.name);
    return '/' + parts.join('/');
  }

  /** A property value, with OF's implicit "name" (the node name before '@'). */
  private prop(n: DtNode, name: string): Uint8Array | undefined {
    const v = n.props.get(name);
    if (v || name !== 'name') return v;
    return new TextEncoder().encode(n.name.split('@')[0] + '\0');
  }

  private claim(virt: number, size: number, align: number): number {
    const free = (s: number): boolean => s + size <= this.ramSize && !this.claimed.some((c) => s < c.end && c.start < s + size);
    let base = -1;
    if (size <= 0) return MINUS_1;
    if (align === 0) {
      if (free(virt)) base = virt;
    } else {
      if ((align & (align - 1)) !== 0) return MINUS_1;
      for (let s = 0; s + size <= this.ramSize;) {
        const hit = this.claimed.find((c) => s < c.end && c.start < s + size);
        if (!hit) { base = s; break; }
        s = Math.ceil(hit.end / align) * align;
      }
    }
    if (base < 0) return MINUS_1;
    this.claimed.push({ start: base, end: base + size });
    this.updateAvailable();
    return base;
  }

  /** KVMPPC_H_VOF_CLIENT: r4 = argument block. */
  call(m: Machine): number {
    const addr = BigInt.asUintN(60, m.gpr(4));
    if (addr + 12n > BigInt(m.ramSize)) return HRC.H_PARAMETER;
    const base = Number(addr);
    const cell = (i: number): number => new DataView(m.readRam(base + 4 * i, 4).buffer).getUint32(0);
    const [svcPtr, nargs, nret] = [cell(0), cell(1), cell(2)];
    if (nargs + nret > CI_MAX_CELLS || base + 4 * (3 + nargs + nret) > m.ramSize) return HRC.H_PARAMETER;
    const service = this.cstring(m, svcPtr, 64);
    if (service === undefined) return HRC.H_PARAMETER;
    const args = Array.from({ length: nargs }, (_, i) => cell(3 + i));
    const rets = this.serve(m, service, args);
    if (rets === undefined) return HRC.H_PARAMETER;
    this.calls.set(service, (this.calls.get(service) ?? 0) + 1);
    for (let i = 0; i < Math.min(nret, rets.length); i++) {
      const b = new Uint8Array(4);
      new DataView(b.buffer).setUint32(0, u32(rets[i]));
      m.writeRam(base + 4 * (3 + nargs + i), b);
    }
    return HRC.H_SUCCESS;
  }

  private cstring(m: Machine, ptr: number, max: number): string | undefined {
    const bytes: number[] = [];
    for (let i = 0; i < max; i++) {
      if (ptr + i >= m.ramSize) return undefined;
      const c = m.readRam(ptr + i, 1)[0];
      if (c === 0) return new TextDecoder().decode(Uint8Array.from(bytes));
      bytes.push(c);
    }
    return undefined;
  }

  /** Copies `data` (truncated to `len`) into guest RAM at `buf` if it lies in RAM. */
  private put(m: Machine, buf: number, len: number, data: Uint8Array): boolean {
    const n = Math.min(len, data.length);
    if (buf + n > m.ramSize) return false;
    m.writeRam(buf, data.subarray(0, n));
    return true;
  }

  /** Returns the return cells, or undefined for an unknown service. */
  private serve(m: Machine, service: string, a: number[]): number[] | undefined {
    const arg = (i: number): number => a[i] ?? 0;
    const node = (ph: number): DtNode | undefined => this.byHandle.get(ph);
    const str = (ptr: number, max = NAME_MAX): string | undefined => this.cstring(m, ptr, max);
    switch (service) {
      case 'finddevice': {
        const p = str(arg(0), PATH_MAX);
        const n = p === undefined ? undefined : this.resolve(p);
        return [n ? this.phandle(n) : MINUS_1];
      }
      case 'getprop': case 'getproplen': {
        const n = node(arg(0));
        const name = str(arg(1));
        const v = n && name !== undefined ? this.prop(n, name) : undefined;
        if (!v) return [MINUS_1];
        if (service === 'getprop' && !this.put(m, arg(2), arg(3), v)) return [MINUS_1];
        return [v.length];
      }
      case 'nextprop': {
        const n = node(arg(0));
        if (!n) return [MINUS_1];
        const prev = arg(1) === 0 ? '' : str(arg(1));
        if (prev === undefined) return [MINUS_1];
        const names = [...n.props.keys()];
        const i = prev === '' ? 0 : names.indexOf(prev) + 1;
        if (prev !== '' && i === 0) return [MINUS_1];
        if (i >= names.length) return [0];
        return [this.put(m, arg(2), NAME_MAX, new TextEncoder().encode(names[i] + '\0')) ? 1 : MINUS_1];
      }
      case 'setprop': {
        const n = node(arg(0));
        const name = str(arg(1));
        if (!n || name === undefined || arg(2) + arg(3) > m.ramSize) return [MINUS_1];
        n.props.set(name, m.readRam(arg(2), arg(3)));
        return [arg(3)];
      }
      case 'peer': {
        if (arg(0) === 0) return [this.phandle(this.root)];
        const n = node(arg(0));
        const p = n && this.parentOf.get(n);
        if (!p) return [0];
        const sib = p.children[p.children.indexOf(n!) + 1];
        return [sib ? this.phandle(sib) : 0];
      }
      case 'child': {
        const n = node(arg(0));
        return [n && n.children.length ? this.phandle(n.children[0]) : 0];
      }
      case 'parent': {
        const n = node(arg(0));
        const p = n && this.parentOf.get(n);
        return [p ? this.phandle(p) : 0];
      }
      case 'package-to-path': case 'instance-to-path': {
        const n = service === 'package-to-path' ? node(arg(0)) : this.instances.get(arg(0));
        if (!n) return [MINUS_1];
        const path = new TextEncoder().encode(this.pathOf(n) + '\0');
        if (!this.put(m, arg(1), arg(2), path)) return [MINUS_1];
        return [path.length - 1];
      }
      case 'instance-to-package': {
        const n = this.instances.get(arg(0));
        return [n ? this.phandle(n) : MINUS_1];
      }
      case 'open': {
        const p = str(arg(0), PATH_MAX);
        const n = p === undefined ? undefined : this.resolve(p.split(':')[0]);
        return [n ? this.open(n) : 0];
      }
      case 'close':
        this.instances.delete(arg(0));
        return [];
      case 'write': {
        if (!this.instances.has(arg(0)) || arg(1) + arg(2) > m.ramSize) return [MINUS_1];
        this.hooks.write(m.readRam(arg(1), arg(2)));
        return [arg(2)];
      }
      case 'read': {
        if (!this.instances.has(arg(0))) return [MINUS_1];
        const got = this.hooks.read(arg(2));
        return [this.put(m, arg(1), arg(2), got) ? got.length : MINUS_1];
      }
      case 'claim':
        return [this.claim(arg(0), arg(1), arg(2))];
      case 'release': {
        const i = this.claimed.findIndex((c) => c.start === arg(0) && c.end === arg(0) + arg(1));
        if (i >= 0) this.claimed.splice(i, 1);
        this.updateAvailable();
        return [];
      }
      case 'milliseconds':
        return [Number((m.vclockNs / 1_000_000n) & 0xffffffffn)];
      case 'quiesce':
        return [];
      case 'exit':
        this.hooks.exit();
        return [];
      case 'call-method': {
        const method = str(arg(0));
        const target = this.instances.get(arg(1));
        if (method === 'ibm,instantiate-rtas' && target && target.name === 'rtas') {
          const blob = rtasBlob();
          if (!this.put(m, arg(2), blob.length, blob)) return [MINUS_1];
          return [0, arg(2)]; // catch-result 0, rtas entry = base
        }
        return [MINUS_1]; // not supported (CAS among them)
      }
      default:
        return undefined;
    }
  }
}
