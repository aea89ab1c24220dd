// The prebuilt workload guest with its iteration count patched (the u32 after the marker "WKLD",
// in the guest's byte order: guests/workload.c), so each machine can do a different amount of work.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const WORKLOAD_LE = fileURLToPath(new URL('../guests/prebuilt/workload-le.elf', import.meta.url));

export function patchIterations(image: Uint8Array, n: number): Uint8Array {
  const out = image.slice();
  const dv = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i + 8 <= out.length; i += 4) {
    for (const le of [true, false]) {
      if (dv.getUint32(i, le) === 0x574b4c44) {
        dv.setUint32(i + 4, n, le);
        return out;
      }
    }
  }
  throw new Error('workload image has no WKLD marker');
}

/** workload-le.elf doing `n` iterations. */
export function workloadImage(n: number): Uint8Array {
  return patchIterations(new Uint8Array(readFileSync(WORKLOAD_LE)), n);
}
