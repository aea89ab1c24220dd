// Console backends for the vty (QEMU chardevs: -serial stdio, -chardev file, the embedding API).
import { openSync, writeSync, closeSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import type { ConsoleOutput } from './vty.js';

/** Writes guest output to a stream (process.stdout for -serial stdio). */
export function streamOutput(out: Writable = process.stdout): ConsoleOutput {
  return (bytes) => { out.write(Buffer.from(bytes)); };
}

/** Appends or truncates `path` and writes guest output to it synchronously (-chardev file). */
export function fileOutput(path: string, append = false): ConsoleOutput & { close(): void } {
  const fd = openSync(path, append ? 'a' : 'w');
  const write = ((bytes: Uint8Array) => { writeSync(fd, bytes); }) as ConsoleOutput & { close(): void };
  write.close = () => closeSync(fd);
  return write;
}

/** Something that takes console input (PseriesMachine, VtyDevice). */
export interface ConsoleInput {
  input(bytes: Uint8Array): void;
}

/** Feeds a stream (process.stdin for -serial stdio) into the console; returns a detach function. */
export function attachInput(target: ConsoleInput, stream: Readable = process.stdin): () => void {
  const onData = (chunk: Buffer | string): void => {
    target.input(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : new Uint8Array(chunk));
  };
  stream.on('data', onData);
  return () => { stream.off('data', onData); };
}
