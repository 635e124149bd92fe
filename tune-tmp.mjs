const { bestSoFar, median } = await import('./dist/bench/optimizers/regret.js');
const { DOMAINS } = await import('./dist/bench/optimizers/domains.js');
const name = process.argv[2] ?? 'Branin'; const evals = Number(process.argv[3] ?? 30); const seeds = Number(process.argv[4] ?? 10);
const opts = JSON.parse(process.argv[5] ?? '{}');
const d = DOMAINS.find((x) => x.name === name);
const at = [10, 20, 30, 40, 60].filter((c) => c <= evals); const r = at.map(() => []);
for (let s = 1; s <= seeds; s++) { const c = await bestSoFar('bayes', d, evals, s, opts); at.forEach((a, i) => r[i].push(d.optimum - c[a - 1])); }
console.log(name, JSON.stringify(opts), at.map((a, i) => `${a}:${median(r[i]).toExponential(2)}`).join(' '), '| @last per seed', r.at(-1).map((v) => v.toExponential(0)).join(' '));
