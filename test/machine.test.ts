import { describe, expect, test } from 'vitest';
import { Machine } from '../host-ts/machine/machine.js';
import { HRC, HCALL } from '../host-ts/layout/papr.js';
import { MEMORY_MAP, memoryPages } from '../host-ts/layout/memory-map.js';

describe('machine foundation', () => {
  test('memory is fixed size: initial == maximum, RAM after all emulator state', () => {
    const m = new Machine({ ramSize: 16 << 20 });
    expect(m.memory.buffer.byteLength).toBe(memoryPages(16 << 20) * 65536);
    expect(() => m.memory.grow(1)).toThrow();
    for (const b of MEMORY_MAP.blocks.values()) expect(b.base + b.stride * b.instances).toBeLessThanOrEqual(MEMORY_MAP.ramBase);
    for (const r of MEMORY_MAP.regions.values()) expect(r.base + r.stride * r.instances).toBeLessThanOrEqual(MEMORY_MAP.ramBase);
  });

  test('unknown hypercall returns H_FUNCTION and keeps r4..r12', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    const r = m.hcall(0x11d, 0x71000002n, 2n, 3n);
    expect(r.ret).toBe(BigInt(HRC.H_FUNCTION));
    expect(r.out.slice(0, 3)).toEqual([0x71000002n, 2n, 3n]);
  });

  test('problem state hypercall returns H_PRIVILEGE', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    m.cpu.set('msr', 1n << 14n);
    expect(m.hcall(HCALL.H_GET_TCE, 0x71000002n, 0n).ret).toBe(BigInt(HRC.H_PRIVILEGE));
  });

  test('guest RAM accesses outside RAM are refused', () => {
    const m = new Machine({ ramSize: 1 << 20 });
    m.writeBe64(0x1000, 0x1122334455667788n);
    expect([...m.readRam(0x1000, 2)]).toEqual([0x11, 0x22]);
    expect(() => m.readRam((1 << 20) - 4, 8)).toThrow(/outside guest RAM/);
    expect(() => new Machine({ ramSize: 1000 })).toThrow(/multiple of 4 KiB/);
  });
});
