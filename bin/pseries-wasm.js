#!/usr/bin/env node
// Entry of the pseries-wasm command: registers tsx (TypeScript sources run as they are), then
// hands argv to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../host-ts/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
