import { logH } from './log-ei.js';
import { normalCdf, normalPdf } from './special.js';

// [z, log h(z), Φ(z)/h(z)] from mpmath at 50 digits.
const REFERENCE: [number, number, number][] = [
  [-1e4, -50000019.33961931, 10000.000199999993],
  [-200, -20011.515648259738, 200.00999925013122],
  [-31, -488.2900233978372, 31.06431617810096],
  [-29, -428.1570826442731, 29.068721528704252],
  [-10, -55.55312203612235, 10.194383033412553],
  [-3, -7.869686059603029, 3.5323375176251606],
  [-1.0001, -2.485311456445883, 1.9043434317165273],
  [-0.999, -2.4832171154475855, 1.9035493173589595],
  [0, -0.9189385332046728, 1.2533141373155003],
  [0.5, -0.3598276837450638, 0.9909227180041099],
  [3, 1.0987396653277077, 0.3328409684517952],
  [10, 2.302585092994046, 0.1],
];

describe('log h(z) for LogEI', () => {
  it.each(REFERENCE)('matches the reference at z = %p, value and derivative', (z, value, dz) => {
    const r = logH(z);
    expect(Math.abs(r.value - value) / Math.max(1, Math.abs(value))).toBeLessThan(1e-11);
    expect(Math.abs(r.dz - dz) / dz).toBeLessThan(1e-9);
  });

  it('equals log of the direct EI formula where that is stable', () => {
    for (let z = -5; z <= 5; z += 0.37) {
      const direct = Math.log(normalPdf(z) + z * normalCdf(z));
      expect(logH(z).value).toBeCloseTo(direct, 10);
    }
  });

  it('has a derivative that matches finite differences, across the branch points', () => {
    for (const z of [-50, -30.5, -29.5, -8, -1.2, -0.8, 0.3, 4]) {
      const h = 1e-6 * Math.max(1, Math.abs(z));
      const fd = (logH(z + h).value - logH(z - h).value) / (2 * h);
      expect(Math.abs(logH(z).dz - fd) / Math.abs(fd)).toBeLessThan(1e-6);
    }
  });

  it('is continuous where the computation changes branch', () => {
    for (const at of [-1, -30]) {
      const below = logH(at - 1e-9).value;
      const above = logH(at + 1e-9).value;
      expect(Math.abs(below - above)).toBeLessThan(1e-7);
    }
  });
});
