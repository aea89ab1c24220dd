#!/usr/bin/env node
// Entry of the pseries-wasm command: registers tsx (TypeScript sources run as they are), then
// hands argv to the CLI.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../host-ts/cli/main.ts');
// Exit like QEMU when the machine is done, even if stdin (the console input) is still open.
// stdout/stderr writes are synchronous on Linux for files, pipes and terminals.
process.exit(await main(process.argv.slice(2)));
