import { SeededRandom } from '../common/seeded-random.js';
import { fitGrowth, gompertz } from './growth-fit.js';
import { fitLine, initialRate } from './initial-rate.js';
import { levenbergMarquardt, solve } from './least-squares.js';
import { peakArea } from './peak-area.js';

const range = (n: number, step = 1, from = 0): number[] =>
  Array.from({ length: n }, (_, i) => from + i * step);

describe('initial rate', () => {
  it('recovers an exact line, with zero standard error', () => {
    const t = range(10);
    expect(
      fitLine(
        t,
        t.map((x) => 3 * x + 1),
      ),
    ).toEqual({ slope: 3, intercept: 1, slopeSem: 0, points: 10 });
  });

  it('uses only the early, linear part of a saturating curve', () => {
    const t = range(30, 0.5);
    const y = t.map((x) => 2 * (1 - Math.exp(-x / 20)) * 20); // initial slope 2
    expect(initialRate(t, y, { until: 1 })!.slope).toBeCloseTo(2 * Math.exp(-0.5 / 20), 1);
    expect(initialRate(t, y, { points: 3 })!.points).toBe(3);
  });

  it('gives a standard error that matches the scatter of noisy fits', () => {
    const rng = new SeededRandom(4);
    const t = range(8);
    const slopes: number[] = [];
    const sems: number[] = [];
    for (let k = 0; k < 400; k++) {
      const f = fitLine(
        t,
        t.map((x) => 0.5 * x + rng.normal(0, 0.1)),
      )!;
      slopes.push(f.slope);
      sems.push(f.slopeSem);
    }
    const mean = slopes.reduce((a, b) => a + b) / slopes.length;
    const sd = Math.sqrt(slopes.reduce((a, b) => a + (b - mean) ** 2, 0) / (slopes.length - 1));
    const meanSem = sems.reduce((a, b) => a + b) / sems.length;
    expect(mean).toBeCloseTo(0.5, 2);
    expect(meanSem / sd).toBeGreaterThan(0.85);
    expect(meanSem / sd).toBeLessThan(1.15);
  });
});

describe('peak area', () => {
  it('integrates a Gaussian peak on a sloped baseline', () => {
    const t = range(601, 0.01); // 0..6 min
    const height = 50;
    const sigma = 0.05;
    const signal = t.map((x) => 2 + 0.3 * x + height * Math.exp(-((x - 3) ** 2) / (2 * sigma ** 2)));
    const r = peakArea(t, signal, { center: 3, halfWidth: 0.5 })!;
    expect(r.area).toBeCloseTo(height * sigma * Math.sqrt(2 * Math.PI), 2);
    expect(r.apex).toBeCloseTo(3, 2);
    expect(r.sem).toBeLessThan(1e-6);
  });

  it('refuses a window with too few points', () => {
    expect(peakArea([0, 1, 2], [0, 1, 0], { center: 1, halfWidth: 1 })).toBeUndefined();
  });
});

describe('least squares', () => {
  it('solves linear systems and fits an exponential decay with honest errors', () => {
    expect(
      solve(
        [
          [2, 1],
          [1, 3],
        ],
        [3, 5],
      )!.map((v) => Math.round(v * 1e12) / 1e12),
    ).toEqual([0.8, 1.4]);
    const rng = new SeededRandom(9);
    const t = range(40, 0.25);
    const y = t.map((x) => 5 * Math.exp(-0.7 * x) + rng.normal(0, 0.02));
    const fit = levenbergMarquardt(
      (x, [a, k]) => (a as number) * Math.exp(-(k as number) * x),
      t,
      y,
      [1, 0.1],
    );
    expect(fit.converged).toBe(true);
    expect(Math.abs((fit.params[0] as number) - 5)).toBeLessThan(4 * (fit.sem[0] as number) + 1e-3);
    expect(Math.abs((fit.params[1] as number) - 0.7)).toBeLessThan(4 * (fit.sem[1] as number) + 1e-3);
  });
});

describe('growth fit', () => {
  it('recovers μmax and lag from a noisy Gompertz OD curve', () => {
    const rng = new SeededRandom(2);
    const t = range(49, 0.25); // 12 h, every 15 min
    const od0 = 0.02;
    const truth = { A: Math.log(1.6 / od0), mu: 0.9, lag: 1.5 };
    const od = t.map(
      (x) => od0 * Math.exp(gompertz(x, [truth.A, truth.mu, truth.lag])) * (1 + rng.normal(0, 0.01)),
    );
    const fit = fitGrowth(t, od)!;
    expect(fit.converged).toBe(true);
    expect(fit.muMax).toBeCloseTo(0.9, 1);
    expect(fit.lag).toBeCloseTo(1.5, 0);
    expect(Math.abs(fit.muMax - truth.mu)).toBeLessThan(5 * fit.muMaxSem);
    expect(fit.doublingTime).toBeCloseTo(Math.LN2 / fit.muMax, 12);
  });

  it('declines a flat curve instead of inventing growth', () => {
    const t = range(20);
    expect(
      fitGrowth(
        t,
        t.map(() => 0.05),
      ),
    ).toBeUndefined();
  });
});
