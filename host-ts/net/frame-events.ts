// Frames an emitter announces with 'frame' events, as an async iterator that ends at its 'close'
// event (the in-process backend and a worker machine's network endpoint share it).
import { on, type EventEmitter } from 'node:events';

export async function* frameEvents(emitter: EventEmitter): AsyncGenerator<Uint8Array> {
  const ac = new AbortController();
  emitter.once('close', () => ac.abort());
  try {
    for await (const [f] of on(emitter, 'frame', { signal: ac.signal })) yield f as Uint8Array;
  } catch (e) {
    if ((e as Error).name !== 'AbortError') throw e;
  }
}
