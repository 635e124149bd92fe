import { SeededRandom } from '../../common/seeded-random.js';
import { SobolSequence } from './sobol.js';
import { directionNumbers, tValue } from './sobol-directions.js';

/** Every dyadic interval of width 2^−m holds exactly one of the first 2^m points, in each coordinate. */
function stratified(values: number[], m: number): boolean {
  const seen = new Set(values.map((v) => Math.floor(v * 2 ** m)));
  return seen.size === 2 ** m;
}

/** L2-star discrepancy (Warnock's formula). */
function discrepancy(points: Float64Array[]): number {
  const n = points.length;
  const d = points[0]!.length;
  let a = 0;
  for (const p of points) a += p.reduce((acc, x) => acc * (1 - x * x), 1);
  let b = 0;
  for (const p of points)
    for (const q of points) b += p.reduce((acc, x, k) => acc * (1 - Math.max(x, q[k]!)), 1);
  return Math.sqrt(3 ** -d - (2 ** (1 - d) / n) * a + b / (n * n));
}

describe('Sobol sequence', () => {
  it('starts with the textbook points when unscrambled', () => {
    const s = new SobolSequence(2);
    expect(s.points(0, 4).map((p) => Array.from(p))).toEqual([
      [0, 0],
      [0.5, 0.5],
      [0.75, 0.25],
      [0.25, 0.75],
    ]);
  });

  it('stratifies every coordinate of 12 dimensions, scrambled or not', () => {
    for (const seed of [undefined, 7]) {
      const pts = new SobolSequence(12, seed).points(0, 256);
      for (let d = 0; d < 12; d++)
        expect(
          stratified(
            pts.map((p) => p[d]!),
            8,
          ),
        ).toBe(true);
    }
  });

  it('makes the first two dimensions a (0, m, 2)-net and keeps later pairs close to it', () => {
    expect(tValue(directionNumbers(0), directionNumbers(1), 10)).toBe(0);
    let total = 0;
    for (let i = 0; i < 8; i++)
      for (let j = i + 1; j < 8; j++) total += tValue(directionNumbers(i), directionNumbers(j), 8);
    expect(total / 28).toBeLessThan(2);
  });

  it('covers the cube more evenly than random points', () => {
    const rng = new SeededRandom(1);
    const random = Array.from({ length: 128 }, () => Float64Array.from({ length: 5 }, () => rng.next()));
    const sobol = new SobolSequence(5, 3).points(0, 128);
    expect(discrepancy(sobol)).toBeLessThan(0.75 * discrepancy(random));
  });

  it('gives different designs for different seeds and the same for the same seed', () => {
    expect(new SobolSequence(3, 1).point(5)).toEqual(new SobolSequence(3, 1).point(5));
    expect(new SobolSequence(3, 1).point(5)).not.toEqual(new SobolSequence(3, 2).point(5));
    for (const p of new SobolSequence(3, 9).points(0, 64))
      for (const x of p) expect(x).toBeGreaterThanOrEqual(0);
  });
});
