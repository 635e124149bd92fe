const { fitHyperparameters } = await import('./dist/src/optimizers/gp/gp-fit.js');
const { priorMode } = await import('./dist/src/optimizers/gp/gp-hyperparameters.js');
const { SobolSequence } = await import('./dist/src/optimizers/numerics/sobol.js');
const { hartmann6 } = await import('./dist/bench/optimizers/domains.js');
for (const n of [50, 100, 200, 300]) {
  const s = new SobolSequence(6, 3);
  const X = new Float64Array(n * 6); const y = new Float64Array(n);
  for (let i = 0; i < n; i++) { const p = s.point(i); X.set(p, i * 6); y[i] = -hartmann6(Array.from(p)); }
  const m = y.reduce((a, b) => a + b) / n; const sd = Math.sqrt(y.reduce((a, b) => a + (b - m) ** 2, 0) / n);
  const data = { X, n, dim: 6, y: y.map((v) => (v - m) / sd) };
  let t = performance.now(); const cold = fitHyperparameters(data, [priorMode(6)]); const tc = performance.now() - t;
  const data2 = { ...data, n: n - 1, X: X.slice(0, (n - 1) * 6), y: data.y.slice(0, n - 1) };
  const prev = fitHyperparameters(data2, [priorMode(6)]);
  t = performance.now(); const warm = fitHyperparameters(data, [prev.theta]); const tw = performance.now() - t;
  console.log(n, 'cold', tc.toFixed(0), 'ms', cold.evaluations, 'evals', cold.value.toFixed(3), '| warm', tw.toFixed(0), 'ms', warm.evaluations, warm.value.toFixed(3));
}
