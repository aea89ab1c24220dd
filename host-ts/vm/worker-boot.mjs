// Entry of a machine's worker thread: registers tsx (the sources are TypeScript, as for
// bin/pseries-wasm.js), then loads the worker's message loop.
import { register } from 'tsx/esm/api';

register();
await import('./worker-entry.ts');
