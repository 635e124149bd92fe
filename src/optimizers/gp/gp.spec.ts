import { SeededRandom } from '../../common/seeded-random.js';
import { fitHyperparameters } from './gp-fit.js';
import { pack, priorMode, type Hyperparameters } from './gp-hyperparameters.js';
import { negativeLogPosterior, type GpData } from './gp-likelihood.js';
import { GpModel } from './gp-model.js';
import { matern52, matern52Slope } from './matern52.kernel.js';

function randomData(n: number, dim: number, seed: number, known = false): GpData {
  const rng = new SeededRandom(seed);
  const X = Float64Array.from({ length: n * dim }, () => rng.next());
  const y = Float64Array.from(
    { length: n },
    (_, i) => Math.sin(5 * X[i * dim]!) + 0.3 * X[i * dim + dim - 1]! + 0.05 * rng.normal(),
  );
  return {
    X,
    n,
    dim,
    y,
    knownNoise: known ? Float64Array.from({ length: n }, () => 0.01 * rng.next()) : undefined,
  };
}

const hyper = (
  dim: number,
  ls: number[],
  outputscale: number,
  noise: number,
  mean: number,
): Hyperparameters => ({
  lengthscales: Float64Array.from(ls.slice(0, dim)),
  outputscale,
  noise,
  mean,
});

function finiteDifference(f: (x: Float64Array) => number, x: Float64Array, i: number, h = 1e-6): number {
  const a = Float64Array.from(x);
  const b = Float64Array.from(x);
  a[i] = a[i]! + h;
  b[i] = b[i]! - h;
  return (f(a) - f(b)) / (2 * h);
}

describe('Matern-5/2 kernel', () => {
  it('is one at distance zero and decays', () => {
    expect(matern52(0)).toBe(1);
    expect(matern52(1)).toBeCloseTo((1 + Math.sqrt(5) + 5 / 3) * Math.exp(-Math.sqrt(5)), 15);
    expect(matern52(3)).toBeLessThan(matern52(1));
  });

  it('has the slope factor its derivative implies: dk/dr = −r·g(r)', () => {
    for (const r of [0.01, 0.3, 1, 2.5]) {
      const fd = (matern52(r + 1e-7) - matern52(r - 1e-7)) / 2e-7;
      expect(fd).toBeCloseTo(-r * matern52Slope(r), 7);
    }
  });
});

describe('GP marginal likelihood', () => {
  it.each([
    [false, 1],
    [true, 2],
  ])('has a gradient that matches finite differences (known noise: %p)', (known, seed) => {
    const data = randomData(15, 3, seed, known);
    const theta = pack(hyper(3, [0.3, 0.8, 2], 1.7, 0.02, 0.1));
    const { gradient } = negativeLogPosterior(data, theta);
    const f = (t: Float64Array): number => negativeLogPosterior(data, t).value;
    for (let i = 0; i < theta.length; i++) {
      const fd = finiteDifference(f, theta, i);
      expect(Math.abs(gradient[i]! - fd)).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
    }
  });

  it('fits better than the prior mode and predicts a smooth function between its data', () => {
    const n = 25;
    const X = Float64Array.from({ length: n }, (_, i) => i / (n - 1));
    const fn = (x: number): number => Math.sin(6 * x) + 0.5 * x;
    const data: GpData = { X, n, dim: 1, y: Float64Array.from(X, fn) };
    const fit = fitHyperparameters(data, [priorMode(1)]);
    expect(fit.value).toBeLessThan(negativeLogPosterior(data, priorMode(1)).value);
    const model = GpModel.fit(data, fit.theta);
    for (const x of [0.13, 0.41, 0.77]) {
      const p = model.predict(Float64Array.of(x));
      expect(Math.abs(p.mean - fn(x))).toBeLessThan(0.01);
      expect(p.variance).toBeLessThan(1e-3);
    }
  });
});

describe('GP posterior', () => {
  it('matches the closed form with one observation', () => {
    const h = hyper(2, [0.5, 0.25], 2, 0.1, 0.3);
    const data: GpData = { X: Float64Array.of(0.2, 0.6), n: 1, dim: 2, y: Float64Array.of(1.5) };
    const model = GpModel.fit(data, pack(h));
    const x = Float64Array.of(0.5, 0.5);
    const r = Math.hypot(0.3 / 0.5, 0.1 / 0.25);
    const k = 2 * matern52(r);
    const p = model.predict(x);
    expect(p.mean).toBeCloseTo(0.3 + (k / 2.1) * (1.5 - 0.3), 12);
    expect(p.variance).toBeCloseTo(2 - (k * k) / 2.1, 12);
  });

  it('predicts the same one point at a time and in a batch, with gradients that match finite differences', () => {
    const data = randomData(30, 4, 5);
    const model = GpModel.fit(data, pack(hyper(4, [0.4, 0.7, 1.1, 0.3], 1.3, 0.01, -0.2)));
    const rng = new SeededRandom(9);
    const Z = Float64Array.from({ length: 5 * 4 }, () => rng.next());
    const batch = model.predictMany(Z, 5);
    for (let c = 0; c < 5; c++) {
      const x = Z.slice(c * 4, c * 4 + 4);
      const p = model.predict(x);
      expect(p.mean).toBeCloseTo(batch[c]!.mean, 12);
      expect(p.variance).toBeCloseTo(batch[c]!.variance, 12);
      for (let d = 0; d < 4; d++) {
        expect(p.dMean[d]).toBeCloseTo(
          finiteDifference((z) => model.predict(z).mean, x, d),
          6,
        );
        expect(p.dVariance[d]).toBeCloseTo(
          finiteDifference((z) => model.predict(z).variance, x, d),
          6,
        );
      }
    }
  });

  it('adds fantasies exactly as refitting on the believed values would', () => {
    const data = randomData(12, 2, 3);
    const theta = pack(hyper(2, [0.3, 0.5], 1, 0.05, 0));
    const model = GpModel.fit(data, theta);
    const Z = Float64Array.of(0.1, 0.9, 0.5, 0.5);
    const believed = model.predictMany(Z, 2).map((p) => p.mean);
    const fantasy = model.withFantasies(Z, 2);
    const refit = GpModel.fit(
      { X: Float64Array.of(...data.X, ...Z), n: 14, dim: 2, y: Float64Array.of(...data.y, ...believed) },
      theta,
    );
    for (const x of [Float64Array.of(0.12, 0.88), Float64Array.of(0.7, 0.2)]) {
      expect(fantasy.predict(x).mean).toBeCloseTo(refit.predict(x).mean, 10);
      expect(fantasy.predict(x).variance).toBeCloseTo(refit.predict(x).variance, 10);
      expect(fantasy.predict(x).mean).toBeCloseTo(model.predict(x).mean, 10);
    }
    expect(fantasy.predict(Float64Array.of(0.1, 0.9)).variance).toBeLessThan(
      model.predict(Float64Array.of(0.1, 0.9)).variance,
    );
  });

  it('reports posterior means at the training points', () => {
    const data = randomData(10, 2, 8);
    const model = GpModel.fit(data, pack(hyper(2, [0.3, 0.4], 1, 0.05, 0)));
    const means = model.trainingMeans();
    const direct = model.predictMany(data.X, 10).map((p) => p.mean);
    for (let i = 0; i < 10; i++) expect(means[i]).toBeCloseTo(direct[i]!, 10);
  });
});
