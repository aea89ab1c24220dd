// Loads the core Wasm module (release or debug build) once per process and instantiates it per
// machine over that machine's own memory: many machines per process, no shared state.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AS_RESERVED } from '../layout/memory-map.js';

export type CoreBuild = 'release' | 'debug';

/** The exports of core-as/index.ts (kept in step with it). */
export interface CoreExports {
  heapBase(): number;
  hcall(): void;
  /** Runs `n` hypercall records at byte `offset` of the batch area (hcall/batch.ts); returns how many ran. */
  hcallBatch(offset: number, n: number): number;
  hcallBatchBase(): number;
  /** Device timers due at machine.vclockNs; returns the next deadline (0n = none). */
  devTimers(): bigint;
  devNextDeadline(): bigint;
  /** spapr-vlan: the host appended `n` frames to vlan `index`'s pending ring (spec 4.2). */
  vlanArrive(index: number, n: number): void;
  vlanFlush(index: number): void;
  vlanReset(index: number): void;
  vlanSendRetry(): void;
  [name: string]: unknown;
}

export interface CoreImports {
  hostHcall(): void;
  hostLog(code: number, a: bigint, b: bigint): void;
}

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const modules = new Map<CoreBuild, WebAssembly.Module>();

export function defaultBuild(): CoreBuild {
  return process.env.PSERIES_CORE_BUILD === 'debug' ? 'debug' : 'release';
}

function compiled(build: CoreBuild): WebAssembly.Module {
  let m = modules.get(build);
  if (!m) {
    const file = join(root, 'build', build === 'debug' ? 'core.debug.wasm' : 'core.wasm');
    let bytes: Uint8Array<ArrayBuffer>;
    try {
      bytes = new Uint8Array(readFileSync(file));
    } catch {
      throw new Error(`core Wasm module ${file} is missing: run 'npm run build'`);
    }
    m = new WebAssembly.Module(bytes);
    modules.set(build, m);
  }
  return m;
}

export function instantiateCore(memory: WebAssembly.Memory, imports: CoreImports, build = defaultBuild()): CoreExports {
  const instance = new WebAssembly.Instance(compiled(build), {
    env: {
      memory,
      abort(msg: number, file: number, line: number, col: number) {
        throw new Error(`core-as assertion failed at ${readAsString(memory, file)}:${line}:${col}: ${readAsString(memory, msg)}`);
      },
      hostHcall: imports.hostHcall,
      hostLog: imports.hostLog,
    },
  });
  const ex = instance.exports as unknown as CoreExports;
  if (ex.heapBase() > AS_RESERVED) {
    throw new Error(`core-as static data ends at ${ex.heapBase()}, past its reserved ${AS_RESERVED} bytes`);
  }
  return ex;
}

/** Reads an AssemblyScript string (UTF-16, length at ptr-4) for assertion messages. */
function readAsString(memory: WebAssembly.Memory, ptr: number): string {
  if (!ptr) return '';
  const len = new Uint32Array(memory.buffer, ptr - 4, 1)[0] >>> 1;
  return String.fromCharCode(...new Uint16Array(memory.buffer, ptr, len));
}
