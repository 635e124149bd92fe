const { timeAsks } = await import('./dist/bench/optimizers/ask-timing.js');
const t = await timeAsks(Number(process.argv[2] ?? 50), 10);
console.log(t.timesMs.map((x) => x.toFixed(0)).join(' '), 'rebuild', t.rebuildMs.toFixed(0));
