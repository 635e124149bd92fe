import { SeededRandom } from '../../src/common/seeded-random.js';
import { Liquid } from './labware.js';
import {
  EMPTY_PLATE_OD,
  measuredAbsorbance,
  measuredFluorescence,
  DETECTOR_MAX,
  pathLengthCm,
  trueAbsorbance,
  trueFluorescence,
} from './optics.model.js';

const mean = (f: () => number, n = 400): number => {
  let s = 0;
  for (let i = 0; i < n; i++) s += f();
  return s / n;
};

describe('plate reader optics', () => {
  it('reads the empty plate as its blank offset, and Beer–Lambert with the path length of the volume', () => {
    expect(trueAbsorbance(new Liquid(200), 405)).toBe(EMPTY_PLATE_OD);
    const product = Liquid.of(200, { product: 0.1 }); // 0.1 mM p-nitroaniline
    expect(pathLengthCm(200)).toBeCloseTo(0.625, 6);
    expect(trueAbsorbance(product, 405) - EMPTY_PLATE_OD).toBeCloseTo(9.96 * 0.1 * 0.625, 6);
    expect(trueAbsorbance(Liquid.of(100, { product: 0.1 }), 405) - EMPTY_PLATE_OD).toBeCloseTo(
      (9.96 * 0.1 * 0.625) / 2,
      6,
    );
  });

  it('is linear with small noise below 2 OD and saturates above 2.5', () => {
    const rng = new SeededRandom(5);
    expect(mean(() => measuredAbsorbance(1, rng))).toBeCloseTo(1, 2);
    const high = mean(() => measuredAbsorbance(3, rng));
    expect(high).toBeLessThan(2.95);
    expect(mean(() => measuredAbsorbance(2.5, rng))).toBeLessThan(2.48);
    for (let i = 0; i < 200; i++) expect(measuredAbsorbance(10, rng)).toBeLessThan(3.6);
  });

  it('scales fluorescence with the reporter and the gain, and overflows at the detector maximum', () => {
    const gfp = Liquid.of(200, { reporter: 50 });
    const f80 = trueFluorescence(gfp, 485, 528, 80);
    expect(trueFluorescence(gfp, 485, 528, 90)).toBeCloseTo(2 * f80 - 50, 6);
    expect(trueFluorescence(Liquid.of(200, { reporter: 100 }), 485, 528, 80)).toBeCloseTo(2 * f80 - 50, 6);
    expect(trueFluorescence(gfp, 350, 450, 80)).toBeLessThan(0.05 * f80);
    expect(measuredFluorescence(10 * DETECTOR_MAX, new SeededRandom(1))).toBe(DETECTOR_MAX);
  });
});
