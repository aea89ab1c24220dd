// The spec 9 conformance scenarios again on the debug core build (AssemblyScript asserts on).
process.env.PSERIES_CORE_BUILD = 'debug';
await import('./conformance-1-registration.test.js');
await import('./conformance-2-rx.test.js');
await import('./conformance-3-tx-misc.test.js');
