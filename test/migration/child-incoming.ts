// Destination process for the two-process migration test: waits on argv[2] (-incoming URI) with a
// machine of argv[3] bytes of RAM, then prints one JSON line per event: listening, done (+ state hash).
import { incoming } from '../../host-ts/migration/index.js';
import { makeMachine, stateHash } from './helpers.js';

const [uri, ram] = process.argv.slice(2);
const m = makeMachine({ ramSize: Number(ram), vlans: 2 });
const job = incoming(m, uri);
job.listening.then((u) => process.stdout.write(JSON.stringify({ event: 'listening', uri: u }) + '\n'));
const s = await job.done;
process.stdout.write(JSON.stringify({ event: 'done', status: s.status, error: s.errorDesc, bytes: s.transferredBytes, hash: stateHash(m) }) + '\n');
