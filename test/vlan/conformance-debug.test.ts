// The spec 9 conformance scenarios again on the debug core build (AssemblyScript asserts on).
import { expect, test } from 'vitest';
import { fixture } from './fixture.js';

process.env.PSERIES_CORE_BUILD = 'debug';
await import('./conformance-1-registration.test.js');
await import('./conformance-2-rx.test.js');
await import('./conformance-3-tx-misc.test.js');

test('these scenarios ran on the debug build (its trace points are compiled in)', () => {
  const fx = fixture();
  const codes: number[] = [];
  fx.m.onTrace = (c) => codes.push(c);
  fx.reg();
  expect(codes).toContain(0x100);
});
