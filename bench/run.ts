/**
 * `npm run bench`: every benchmark, one after the other, each printing its own figures and ratios.
 * Each bench file exports `main()`; timings never live in tests.
 */
const benches: readonly { readonly name: string; readonly module: string }[] = [
  { name: 'feed parse + store throughput (issue 5)', module: './feeds.js' },
  { name: 'clustering quality on the UCI sample (issue 6)', module: './cluster-quality.js' },
  { name: 'clustering speed and growth (issue 6)', module: './cluster.js' },
  {
    name: 'clustering through the CLI: UCI slices in 1 and 24 runs, GoogleNews NMI, explain, determinism (issue 13)',
    module: './cluster-eval.js',
  },
  { name: 'publishing: render, write, serve (issue 7)', module: './publish.js' },
  { name: 'end to end: feeds -> run -> published, 6k and 64k items (issues 6, 18)', module: './pipeline.js' },
  { name: 'many workers on PostgreSQL: items/s with 1, 2, 4, 8 workers, origin delay 200 ms (issue 17)', module: './workers.js' },
];

const only = process.argv.slice(2);
for (const bench of benches) {
  if (only.length > 0 && !only.some((name) => bench.module.includes(name))) continue;
  console.log(`\n=== ${bench.name} ===`);
  const { main } = (await import(bench.module)) as { main: () => Promise<void> };
  await main();
}
