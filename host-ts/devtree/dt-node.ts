// An in-memory device tree: what devices describe and what the FDT writer flattens.
// Property values are the exact bytes of the flattened form (cells are big-endian u32).

export type DtValue = Uint8Array;

export class DtNode {
  readonly props = new Map<string, DtValue>();
  readonly children: DtNode[] = [];
  constructor(readonly name: string) {}

  child(name: string): DtNode {
    let c = this.children.find((n) => n.name === name);
    if (!c) {
      c = new DtNode(name);
      this.children.push(c);
    }
    return c;
  }

  add(node: DtNode): DtNode {
    if (this.children.some((n) => n.name === node.name)) throw new Error(`duplicate device-tree node ${node.name}`);
    this.children.push(node);
    return node;
  }

  /** An empty property (e.g. interrupt-controller). */
  setEmpty(name: string): this { this.props.set(name, new Uint8Array(0)); return this; }
  /** A NUL-terminated string, or a string list. */
  setString(name: string, ...values: string[]): this { this.props.set(name, dtStrings(values)); return this; }
  /** Big-endian 32-bit cells. */
  setCells(name: string, ...cells: (number | bigint)[]): this { this.props.set(name, dtCells(cells)); return this; }
  /** Big-endian 64-bit values (two cells each). */
  setU64s(name: string, ...values: (number | bigint)[]): this {
    this.props.set(name, dtCells(values.flatMap((v) => { const b = BigInt(v); return [b >> 32n, b & 0xffffffffn]; })));
    return this;
  }
  setBytes(name: string, bytes: Uint8Array | number[]): this { this.props.set(name, Uint8Array.from(bytes)); return this; }

  /** Finds a node by path relative to this one ("a/b@1"). */
  find(path: string): DtNode | undefined {
    let n: DtNode | undefined = this;
    for (const part of path.split('/').filter(Boolean)) n = n?.children.find((c) => c.name === part);
    return n;
  }
}

export function dtCells(cells: (number | bigint)[]): Uint8Array {
  const out = new Uint8Array(cells.length * 4);
  const dv = new DataView(out.buffer);
  cells.forEach((c, i) => dv.setUint32(i * 4, Number(BigInt.asUintN(32, BigInt(c)))));
  return out;
}

export function dtStrings(values: string[]): Uint8Array {
  return new TextEncoder().encode(values.map((v) => v + '\0').join(''));
}
