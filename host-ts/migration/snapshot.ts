// Save and restore of a whole machine (snapshot to a buffer or file). The machine must not run
// while it is saved (pause it first); loading validates the whole stream before it changes
// anything, so a refused stream leaves the destination untouched.
import { openSync, writeSync, closeSync, createReadStream, statSync } from 'node:fs';
import { StreamWriter, writeDeviceState, writePageRange, type ChunkSink } from './writer.js';
import { StreamDecoder, type DecodeOptions } from './decoder.js';
import { ramPages, type MachineLike } from './dirty.js';
import './builtin-hooks.js';

/** Writes the full stream of `m` (header, all RAM, device state, end) to `sink`. Returns bytes written. */
export function saveMachineTo(m: MachineLike, sink: ChunkSink): number {
  const w = new StreamWriter(sink);
  w.header(m.ramSize);
  writePageRange(w, m, 0, ramPages(m));
  writeDeviceState(w, m);
  w.end();
  return w.bytes;
}

/**
 * Saves `m`: with a sink, streams chunks to it and returns the byte count; without, returns the
 * whole stream as one buffer.
 */
export function saveMachine(m: MachineLike): Uint8Array;
export function saveMachine(m: MachineLike, sink: ChunkSink): number;
export function saveMachine(m: MachineLike, sink?: ChunkSink): Uint8Array | number {
  if (sink) return saveMachineTo(m, sink);
  const chunks: Uint8Array[] = [];
  const n = saveMachineTo(m, (c) => chunks.push(c));
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

export interface LoadResult {
  bytes: number;
  pages: number;
}

/** Loads a whole stream (one buffer or chunks). Throws MigrationError; on error `m` is unchanged. */
export function loadMachine(m: MachineLike, source: Uint8Array | Iterable<Uint8Array>, opts?: DecodeOptions): LoadResult {
  const d = new StreamDecoder(m, opts);
  if (source instanceof Uint8Array) d.push(source);
  else for (const c of source) d.push(c);
  d.finish().commit();
  return { bytes: d.bytesReceived, pages: d.pagesReceived };
}

/** Loads from an async source of chunks (a socket, a file stream). */
export async function loadMachineFrom(m: MachineLike, source: AsyncIterable<Uint8Array>, opts?: DecodeOptions): Promise<LoadResult> {
  const d = new StreamDecoder(m, opts);
  for await (const c of source) d.push(c);
  d.finish().commit();
  return { bytes: d.bytesReceived, pages: d.pagesReceived };
}

export function saveMachineToFile(m: MachineLike, path: string): number {
  const fd = openSync(path, 'w');
  try {
    return saveMachineTo(m, (c, release) => {
      writeSync(fd, c);
      release();
    });
  } finally {
    closeSync(fd);
  }
}

export async function loadMachineFromFile(m: MachineLike, path: string, opts?: DecodeOptions): Promise<LoadResult> {
  statSync(path); // a clear ENOENT before anything else
  return loadMachineFrom(m, createReadStream(path, { highWaterMark: 1 << 20 }), opts);
}
