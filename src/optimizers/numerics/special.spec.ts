import {
  erf,
  erfc,
  erfcx,
  log1mexp,
  logNormalCdf,
  lowerMillsRatio,
  normalCdf,
  normalPdf,
} from './special.js';

// Reference values computed with mpmath at 40 digits.
const ERFC: [number, number][] = [
  [-20, 2.0],
  [-5, 1.9999999999984626],
  [-3, 1.9999779095030015],
  [-1.6, 1.976348383344644],
  [-1.4, 1.9522851197626487],
  [-0.5, 1.5204998778130465],
  [0, 1.0],
  [0.3, 0.6713732405408726],
  [1.0, 0.15729920705028513],
  [1.49, 0.03510213515679579],
  [1.51, 0.03272325187128836],
  [1.99, 0.004888586800383003],
  [2.01, 0.004475150644751763],
  [2.99, 2.3525603080640195e-5],
  [3.01, 2.0738963637132634e-5],
  [4.99, 1.7022661050996722e-12],
  [5.01, 1.388336629308546e-12],
  [9.99, 2.553157649309535e-45],
  [10.01, 1.7080466437831632e-45],
  [20, 5.395865611607901e-176],
  [26, 5.663192408856143e-296],
];
const ERFCX: [number, number][] = [
  [-20, 1.0442939379528289e174],
  [-5, 144009798674.66104],
  [-3, 16205.988853999586],
  [-1.6, 25.565681638815217],
  [-1.4, 13.859910589633527],
  [-0.5, 1.952360489182557],
  [0, 1.0],
  [0.3, 0.7345993345676551],
  [1.0, 0.427583576155807],
  [1.49, 0.3232292938008238],
  [1.51, 0.31995676958333286],
  [1.99, 0.2564678367195299],
  [2.01, 0.2543318765608183],
  [2.99, 0.17954646671027155],
  [3.01, 0.17845901255120125],
  [4.99, 0.11091837045388812],
  [5.01, 0.11049171315279298],
  [9.99, 0.05619664070685882],
  [10.01, 0.056085454355001924],
  [20, 0.02817434874105132],
  [30, 0.01879588886141675],
  [100, 0.005641613782989433],
  [1e4, 5.641895807268084e-5],
];
const LOG_PHI: [number, number][] = [
  [-1e5, -5000000012.431864],
  [-1000, -500007.82669481216],
  [-40, -804.6084420137538],
  [-38, -726.5572160188201],
  [-10, -53.23128515051247],
  [-1.5, -2.7059444008238898],
  [-1, -1.8410216450092636],
  [-0.999, -1.839496910164778],
  [0, -0.6931471805599453],
  [1, -0.17275377902344988],
  [5, -2.866516129637636e-7],
  [10, -7.619853024160525e-24],
];

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

describe('special functions', () => {
  it.each(ERFC)('erfc(%p) to 1e-13 relative', (x, want) => {
    expect(rel(erfc(x), want)).toBeLessThan(1e-13);
  });

  it.each(ERFCX)('erfcx(%p) to 1e-13 relative', (x, want) => {
    expect(rel(erfcx(x), want)).toBeLessThan(1e-13);
  });

  it.each(LOG_PHI)('log Φ(%p) to 1e-12 relative, deep in the tail too', (z, want) => {
    expect(rel(logNormalCdf(z), want)).toBeLessThan(1e-12);
  });

  it('keeps erf odd and erf + erfc = 1', () => {
    for (const x of [0.1, 0.7, 1.2, 1.7, 2.5, 4]) {
      expect(erf(-x)).toBe(-erf(x));
      expect(erf(x) + erfc(x)).toBeCloseTo(1, 14);
    }
  });

  it('relates the normal cdf, pdf and the Mills ratio', () => {
    for (const z of [-30, -8, -2, -0.5, 0, 1.5]) {
      expect(rel(lowerMillsRatio(z) * normalPdf(z), normalCdf(z))).toBeLessThan(1e-12);
    }
    expect(normalCdf(0)).toBe(0.5);
    expect(normalPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 15);
  });

  it('computes log(1 − eʷ) on both sides of −ln 2', () => {
    for (const w of [-1e-3, -0.5, -1, -5])
      expect(rel(log1mexp(w), Math.log(1 - Math.exp(w)))).toBeLessThan(1e-12);
    expect(rel(log1mexp(-1e-12), Math.log(1e-12))).toBeLessThan(1e-6);
    expect(rel(log1mexp(-40), -Math.exp(-40))).toBeLessThan(1e-12);
  });
});
