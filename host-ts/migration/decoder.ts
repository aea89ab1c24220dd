// Decodes a migration stream (format.ts) into a Staging copy, chunk by chunk as it arrives (file,
// socket), checking every length and name before buffering what it announces. finish() then
// validates the staged machine as a whole (device validators, 'equal' fields, RAM coverage); the
// caller commits only after that. Nothing here writes to the destination machine.
import { MEMORY_MAP } from '../layout/memory-map.js';
import { SCALAR_SIZE } from '../layout/schema.js';
import { crc32 } from './crc32.js';
import { decodeFields, swapCopy } from './codec.js';
import { MigrationError, fail, hex } from './errors.js';
import { HEADER_BYTES, LIMITS, PAGE, STREAM_MAGIC, STREAM_VERSION, TAG, hasSection, wireBlocks } from './format.js';
import { hooksOf, migratedRegions, regionMigration } from './registry.js';
import { PAGE_ABSENT, PAGE_DATA, PAGE_ZERO, Staging } from './staging.js';
import type { MachineLike } from './dirty.js';
import './builtin-hooks.js';

export interface DecodeOptions {
  /** Refuse streams longer than this (default: 64 x RAM + 64 MiB, room for many pre-copy passes). */
  maxStreamBytes?: number;
  /** Commit destination RAM pages as they arrive, content unchanged (live incoming: shorter downtime). */
  prefault?: boolean;
}

const dec = new TextDecoder('utf-8', { fatal: true });

export class StreamDecoder {
  readonly staging: Staging;
  private pending = new Uint8Array(0);
  private pendingLen = 0;
  private crc = 0;
  private offset = 0;
  private state: 'header' | 'records' | 'done' = 'header';
  private readonly maxBytes: number;
  private readonly prefault: boolean;
  /** RAM pages received (counting re-sent pages), for status. */
  pagesReceived = 0;

  constructor(readonly dest: MachineLike, opts: DecodeOptions = {}) {
    this.staging = new Staging(dest);
    this.maxBytes = opts.maxStreamBytes ?? dest.ramSize * 64 + 64 * 1024 * 1024;
    this.prefault = opts.prefault ?? false;
  }

  get done(): boolean { return this.state === 'done'; }
  get bytesReceived(): number { return this.offset + this.pendingLen; }

  /** Consumes a chunk; throws MigrationError at the first problem. */
  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.state === 'done') fail('stream', `${chunk.length} trailing bytes after the end record`);
    if (this.offset + this.pendingLen + chunk.length > this.maxBytes) {
      fail('stream', `longer than the limit of ${this.maxBytes} bytes`);
    }
    let buf: Uint8Array;
    const fromPending = this.pendingLen > 0;
    if (!fromPending) {
      buf = chunk;
    } else {
      if (this.pendingLen + chunk.length > this.pending.length) {
        const grown = new Uint8Array(Math.max(this.pendingLen + chunk.length, this.pending.length * 2));
        grown.set(this.pending.subarray(0, this.pendingLen));
        this.pending = grown;
      }
      this.pending.set(chunk, this.pendingLen);
      buf = this.pending.subarray(0, this.pendingLen + chunk.length);
    }
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let at = 0;
    for (;;) {
      if (this.done) {
        if (at < buf.length) fail('stream', `${buf.length - at} trailing bytes after the end record`);
        break;
      }
      const n = this.state === 'header' ? this.header(buf, dv, at) : this.record(buf, dv, at);
      if (n === 0) break;
      if (!this.done) this.crc = crc32(buf.subarray(at, at + n), this.crc);
      at += n;
      this.offset += n;
    }
    const rest = buf.length - at;
    if (rest > 0 && !fromPending) {
      if (this.pending.length < rest) this.pending = new Uint8Array(Math.max(rest, 64 * 1024));
      this.pending.set(buf.subarray(at));
    } else if (rest > 0) {
      this.pending.copyWithin(0, at, buf.length);
    }
    this.pendingLen = rest;
  }

  private header(buf: Uint8Array, dv: DataView, at: number): number {
    if (buf.length - at < HEADER_BYTES) return 0;
    const magic = dv.getUint32(at);
    if (magic !== STREAM_MAGIC) fail('header.magic', `${hex(magic)} is not a pseries-wasm migration stream (expected ${hex(STREAM_MAGIC)})`);
    const version = dv.getUint32(at + 4);
    if (version !== STREAM_VERSION) fail('header.version', `stream format version ${version} is not supported (this emulator reads ${STREAM_VERSION})`);
    const ramSize = dv.getBigUint64(at + 8);
    if (ramSize !== BigInt(this.dest.ramSize)) {
      fail('header.ramSize', `stream carries ${ramSize} bytes of guest RAM, the destination has ${this.dest.ramSize} (-m must match)`);
    }
    this.state = 'records';
    return HEADER_BYTES;
  }

  private where(): string { return `at stream offset ${this.offset}`; }

  private pageRange(dv: DataView, at: number, what: string): [number, number] {
    const first = dv.getUint32(at + 1);
    const count = dv.getUint32(at + 5);
    if (count === 0 || first >= this.staging.pages || count > this.staging.pages - first) {
      fail(`ram.${what}`, `pages ${hex(first)}+${count} outside guest RAM of ${this.staging.pages} pages ${this.where()}`);
    }
    return [first, count];
  }

  private record(buf: Uint8Array, dv: DataView, at: number): number {
    const avail = buf.length - at;
    if (avail < 1) return 0;
    const tag = buf[at];
    switch (tag) {
      case TAG.RAM_DATA: {
        if (avail < 9) return 0;
        const count = dv.getUint32(at + 5);
        if (count > LIMITS.maxPagesPerRecord) fail('ram.data', `record of ${count} pages exceeds the limit of ${LIMITS.maxPagesPerRecord} ${this.where()}`);
        const [first] = this.pageRange(dv, at, 'data');
        const n = 9 + count * PAGE;
        if (avail < n) return 0;
        this.staging.stagedRam().set(buf.subarray(at + 9, at + n), first * PAGE);
        this.staging.pageState.fill(PAGE_DATA, first, first + count);
        if (this.prefault) this.staging.prefault(first, count);
        this.pagesReceived += count;
        return n;
      }
      case TAG.RAM_ZERO: {
        if (avail < 9) return 0;
        const [first, count] = this.pageRange(dv, at, 'zero');
        this.staging.pageState.fill(PAGE_ZERO, first, first + count);
        this.pagesReceived += count;
        return 9;
      }
      case TAG.SECTION:
      case TAG.REGION: {
        if (avail < 2) return 0;
        const nameLen = buf[at + 1];
        if (nameLen === 0 || nameLen > LIMITS.maxNameBytes) fail('section.name', `name length ${nameLen} out of range 1..${LIMITS.maxNameBytes} ${this.where()}`);
        const head = 2 + nameLen + 10;
        if (avail < head) return 0;
        let name: string;
        try {
          name = dec.decode(buf.subarray(at + 2, at + 2 + nameLen));
        } catch {
          fail('section.name', `not valid UTF-8 ${this.where()}`);
        }
        const p = at + 2 + nameLen;
        const instance = dv.getUint16(p);
        const version = dv.getUint32(p + 2);
        const len = dv.getUint32(p + 6);
        if (len > LIMITS.maxSectionBytes) fail(`${name}[${instance}]`, `payload of ${len} bytes exceeds the limit of ${LIMITS.maxSectionBytes}`);
        if (tag === TAG.SECTION) this.checkSectionHead(name, instance, version, len);
        else this.checkRegionHead(name, instance, version, len);
        if (avail < head + len) return 0;
        const payload = buf.subarray(at + head, at + head + len);
        if (tag === TAG.SECTION) this.section(name, instance, version, payload);
        else this.region(name, instance, payload);
        return head + len;
      }
      case TAG.END: {
        if (avail < 5) return 0;
        const want = crc32(buf.subarray(at, at + 1), this.crc);
        const got = dv.getUint32(at + 1);
        if (got !== want) fail('end.checksum', `CRC-32 ${hex(got)} does not match the stream's ${hex(want)} (corrupt stream)`);
        this.state = 'done';
        return 5;
      }
      default:
        return fail('stream', `unknown record tag ${hex(tag)} ${this.where()}`);
    }
  }

  private checkSectionHead(name: string, instance: number, version: number, len: number): void {
    const w = wireBlocks().get(name);
    if (!w || !hasSection(w)) fail(`section '${name}'`, `unknown section (no such state block in this emulator)`);
    const b = w.layout;
    const path = `${name}[${instance}]`;
    if (instance >= b.instances) fail(path, `instance out of range 0..${b.instances - 1}`);
    if (version > b.version) fail(`${path}.version`, `section version ${version} is newer than this emulator's ${b.version}`);
    if (version < b.minVersion) fail(`${path}.version`, `section version ${version} is older than the minimum ${b.minVersion}`);
    const inUse = hooksOf(name).inUse;
    if (inUse && !inUse(this.dest.memory, instance)) fail(path, `the destination has no such device (configure the same devices on both sides)`);
    if (this.staging.section(name, instance)) fail(path, `section sent twice`);
    const max = w.mainBytes + 1 + w.subsections.reduce((n, s) => n + 1 + LIMITS.maxNameBytes + 8 + s.bytes, 0);
    if (len < w.mainBytes + 1 || len > max) fail(`${path}.length`, `section length ${len} does not fit the declaration (${w.mainBytes + 1}..${max} bytes)`);
  }

  private section(name: string, instance: number, version: number, payload: Uint8Array): void {
    const w = wireBlocks().get(name)!;
    const b = w.layout;
    const path = `${name}[${instance}]`;
    const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const img = this.staging.stateImage;
    const base = b.base + instance * b.stride;
    let p = decodeFields(payload, 0, img, base, w.main);
    const count = payload[p++];
    if (count > w.subsections.length) fail(`${path}.subsections`, `${count} subsections, the block declares ${w.subsections.length}`);
    const seen = new Set<string>();
    for (let k = 0; k < count; k++) {
      if (p + 1 > payload.length) fail(`${path}.length`, `section ends inside subsection ${k}`);
      const nl = payload[p];
      if (nl === 0 || nl > LIMITS.maxNameBytes || p + 1 + nl + 8 > payload.length) fail(`${path}.length`, `subsection ${k} header runs past the section`);
      let sname: string;
      try {
        sname = dec.decode(payload.subarray(p + 1, p + 1 + nl));
      } catch {
        fail(`${path}.subsection`, `name is not valid UTF-8`);
      }
      const s = w.subByName.get(sname);
      if (!s || s.fields.length === 0) fail(`${path}/${sname}`, `unknown subsection`);
      if (seen.has(sname)) fail(`${path}/${sname}`, `subsection sent twice`);
      seen.add(sname);
      const sver = dv.getUint32(p + 1 + nl);
      const slen = dv.getUint32(p + 1 + nl + 4);
      if (sver === 0 || sver > s.decl.version) fail(`${path}/${sname}.version`, `subsection version ${sver} not supported (this emulator: 1..${s.decl.version})`);
      if (slen !== s.bytes) fail(`${path}/${sname}.length`, `subsection length ${slen}, the declaration needs ${s.bytes}`);
      p += 1 + nl + 8;
      if (p + slen > payload.length) fail(`${path}/${sname}.length`, `subsection runs past the section`);
      p = decodeFields(payload, p, img, base, s.fields);
    }
    if (p !== payload.length) fail(`${path}.length`, `section length ${payload.length} does not match its contents (${p} bytes)`);
    this.staging.addSection({ wire: w, index: instance, version, subsections: seen });
  }

  private checkRegionHead(name: string, instance: number, version: number, len: number): void {
    const r = regionMigration(name);
    const layout = MEMORY_MAP.regions.get(name);
    if (!r || !layout) fail(`region '${name}'`, `unknown region`);
    const path = `${name}[${instance}]`;
    if (instance >= layout.instances) fail(path, `instance out of range 0..${layout.instances - 1}`);
    if (version === 0 || version > r.version) fail(`${path}.version`, `region version ${version} not supported (this emulator: 1..${r.version})`);
    if (!r.inUse(this.dest.memory, instance)) fail(path, `the destination does not use this region instance (configure the same devices on both sides)`);
    if (this.staging.hasRegion(name, instance)) fail(path, `region sent twice`);
    if (len < 4 || len > 4 + layout.size * 2) fail(`${path}.length`, `payload length ${len} out of range`);
  }

  private region(name: string, instance: number, payload: Uint8Array): void {
    const r = regionMigration(name)!;
    const layout = MEMORY_MAP.regions.get(name)!;
    const path = `${name}[${instance}]`;
    const el = SCALAR_SIZE[r.elem];
    const elems = Math.floor(layout.size / el);
    const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
    const bytes = new Uint8Array(layout.size);
    const runs = dv.getUint32(0);
    const sent: [number, number][] = [];
    let p = 4;
    let next = 0;
    for (let k = 0; k < runs; k++) {
      if (p + 8 > payload.length) fail(`${path}.length`, `run ${k} header runs past the payload`);
      const first = dv.getUint32(p);
      const count = dv.getUint32(p + 4);
      if (count === 0 || first < next || first >= elems || count > elems - first) {
        fail(`${path}.run[${k}]`, `elements ${first}+${count} overlap, are out of order or outside 0..${elems - 1}`);
      }
      if (p + 8 + count * el > payload.length) fail(`${path}.length`, `run ${k} runs past the payload`);
      swapCopy(payload, p + 8, bytes, first * el, el, count);
      sent.push([first * el, (first + count) * el]);
      p += 8 + count * el;
      next = first + count;
    }
    if (p !== payload.length) fail(`${path}.length`, `payload length ${payload.length} does not match its runs (${p} bytes)`);
    this.staging.addRegion(name, instance, bytes, sent);
  }

  /** After the END record: whole-machine checks. Throws MigrationError; returns the staging to commit. */
  finish(): Staging {
    if (this.state !== 'done') {
      fail('stream', `truncated after ${this.offset + this.pendingLen} bytes (${this.state === 'header' ? 'no complete header' : 'no end record'})`);
    }
    const st = this.staging;
    const missing = st.pageState.indexOf(PAGE_ABSENT);
    if (missing >= 0) {
      let n = 0;
      for (const s of st.pageState) if (s === PAGE_ABSENT) n++;
      fail(`ram.page[${hex(missing)}]`, `never sent (${n} of ${st.pages} pages missing)`);
    }
    for (const w of wireBlocks().values()) {
      if (!hasSection(w)) continue;
      const b = w.layout;
      const inUse = hooksOf(b.name).inUse;
      for (let i = 0; i < b.instances; i++) {
        if ((!inUse || inUse(this.dest.memory, i)) && !st.section(b.name, i)) {
          fail(`${b.name}[${i}]`, `the destination has this device but the stream has no section for it`);
        }
      }
    }
    for (const r of migratedRegions()) {
      const layout = MEMORY_MAP.regions.get(r.region)!;
      for (let i = 0; i < layout.instances; i++) {
        if (r.inUse(this.dest.memory, i) && !st.hasRegion(r.region, i)) fail(`${r.region}[${i}]`, `missing from the stream`);
      }
    }
    for (const s of st.sections.values()) {
      const name = s.wire.layout.name;
      const path = `${name}[${s.index}]`;
      const staged = st.view(name, s.index);
      const dest = st.destView(name, s.index);
      hooksOf(name).validate?.({ index: s.index, path, staged, dest, subsections: s.subsections, machine: st });
      for (const f of s.wire.equal) {
        if (f.subsection !== undefined && !s.subsections.has(f.subsection)) continue;
        for (let i = 0; i < (f.count ?? 1); i++) {
          const a = staged.getBig(f.name, i);
          const d = dest.getBig(f.name, i);
          if (a !== d) {
            const fp = `${path}.${f.name}${f.count !== undefined ? `[${i}]` : ''}`;
            fail(fp, `stream has ${hex(a)}, the destination has ${hex(d)}; this field must be equal on both sides`);
          }
        }
      }
    }
    for (const { region, index, bytes } of st.regions.values()) {
      regionMigration(region)!.validate?.({ index, path: `${region}[${index}]`, bytes, machine: st });
    }
    return st;
  }
}

export { MigrationError };
