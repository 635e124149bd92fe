import { deriveSeed, SeededRandom } from './seeded-random.js';

describe('SeededRandom', () => {
  it('repeats with the seed', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
  });

  it('draws uniform values in [0, 1) and normal values with the right moments', () => {
    const r = new SeededRandom(1);
    const n = 50_000;
    let sum = 0;
    let sumSq = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const u = r.next();
      lo = Math.min(lo, u);
      hi = Math.max(hi, u);
      const z = r.normal();
      sum += z;
      sumSq += z * z;
    }
    expect(lo).toBeGreaterThanOrEqual(0);
    expect(hi).toBeLessThan(1);
    expect(Math.abs(sum / n)).toBeLessThan(0.02);
    expect(Math.abs(sumSq / n - 1)).toBeLessThan(0.03);
  });

  it('derives independent streams from a seed and keys', () => {
    expect(deriveSeed(1, 'ask', 0)).toBe(deriveSeed(1, 'ask', 0));
    expect(deriveSeed(1, 'ask', 0)).not.toBe(deriveSeed(1, 'ask', 1));
    expect(deriveSeed(1, 'ask', 0)).not.toBe(deriveSeed(2, 'ask', 0));
  });
});
