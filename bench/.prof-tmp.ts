import { runOurs } from './cpu.js';
runOurs(30);
const r = runOurs(200);
console.log(Number(r.insns) / r.cpuS / 1e6);
