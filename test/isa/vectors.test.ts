// Differential instruction tests: every vector produced by scripts/isa-vectors (qemu-user as the
// reference) must give the same registers, XER, CR, CTR, LR and memory on our CPU.
import { describe, expect, test } from 'vitest';
import { Machine } from '../../host-ts/machine/machine.js';
import { core } from './harness.js';
import { loadVectors, runVector, type Vector } from './vector-runner.js';

// Release build (or $PSERIES_CORE_BUILD) for both byte orders; the debug build (asserts on) once more
// for little-endian, as STYLE asks suites to run on both builds.
const runs = [['le', undefined], ['be', undefined], ['le', 'debug']] as const;
for (const [mode, build] of runs) {
  describe(`ISA vectors (${mode === 'le' ? 'little' : 'big'}-endian${build ? ', debug build' : ''})`, () => {
    const vectors = loadVectors(mode);
    const byMnemonic = new Map<string, Vector[]>();
    for (const v of vectors) byMnemonic.set(v.m, [...(byMnemonic.get(v.m) ?? []), v]);
    const m = new Machine({ ramSize: 1 << 20, build });
    core(m).cpuReset();
    test.each([...byMnemonic.keys()])('%s', (name) => {
      const failures: string[] = [];
      for (const v of byMnemonic.get(name)!) {
        const bad = runVector(m, v, mode === 'le');
        if (bad.length) failures.push(`${v.asm} in=[${v.in.join(',')}]: ${bad.join('; ')}`);
      }
      expect(failures.slice(0, 5)).toEqual([]);
    });
  });
}
