// `npm run bench`: runs each benchmark module in turn. A module exports `name` and `run()`, which
// prints its own table (ratios side by side). Benchmarks are never tests: no pass/fail here.
const modules = ['./rx-path.js'];

for (const path of modules) {
  const mod = (await import(path)) as { name: string; run(): Promise<void> | void };
  console.log(`\n== ${mod.name}`);
  await mod.run();
}
