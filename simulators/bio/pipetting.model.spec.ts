import { SeededRandom } from '../../src/common/seeded-random.js';
import { deliveredVolume, drawChannel, iso8655Limits } from './pipetting.model.js';

describe('pipetting error', () => {
  const nominal = 300;
  const limits = iso8655Limits(nominal);

  it('keeps 200 drawn channels within ISO 8655-2 limits at nominal, half and a tenth of the range', () => {
    const rng = new SeededRandom(11);
    for (let c = 0; c < 200; c++) {
      const ch = drawChannel(nominal, rng);
      for (const v of [nominal, nominal / 2, nominal / 10]) {
        const xs = Array.from({ length: 10 }, () => deliveredVolume(ch, v, rng));
        const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
        // The systematic error of a channel is its bias; ten draws estimate it within ±3 standard errors.
        expect(Math.abs(mean - v)).toBeLessThan(limits.systematic + 3 * (limits.random / Math.sqrt(10)));
      }
    }
  });

  it('has a random error below the ISO limit, and a relative error that grows at small volumes', () => {
    const rng = new SeededRandom(3);
    const ch = drawChannel(nominal, rng);
    const sd = (v: number): number => {
      const xs = Array.from({ length: 4000 }, () => deliveredVolume(ch, v, rng));
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
    };
    const atNominal = sd(nominal);
    const atTen = sd(10);
    expect(atNominal).toBeLessThan(limits.random);
    expect(atNominal / nominal).toBeGreaterThan(0.002); // about 0.3 % at nominal
    expect(atTen / 10).toBeGreaterThan(10 * (atNominal / nominal));
  });
});
