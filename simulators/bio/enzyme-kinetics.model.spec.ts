import {
  inactivationRate,
  initialRate,
  phFactor,
  temperatureFactor,
  TRYPSIN_LIKE,
  turnoverRate,
} from './enzyme-kinetics.model.js';

function argmax(f: (x: number) => number, lo: number, hi: number, step: number): number {
  let best = lo;
  for (let x = lo; x <= hi; x += step) if (f(x) > f(best)) best = x;
  return best;
}

describe('enzyme kinetics model', () => {
  it('follows Michaelis–Menten in the substrate: half the maximum rate at S = Km', () => {
    const vmax = initialRate(37, 8, 1e9, 0.05);
    expect(initialRate(37, 8, TRYPSIN_LIKE.km, 0.05) / vmax).toBeCloseTo(0.5, 6);
  });

  it('has its pH optimum at (pKa + pKb) / 2', () => {
    const opt = argmax((ph) => phFactor(ph, TRYPSIN_LIKE), 3, 12, 0.01);
    expect(opt).toBeCloseTo((TRYPSIN_LIKE.pKa + TRYPSIN_LIKE.pKb) / 2, 1);
  });

  it('has a temperature optimum below the denaturation midpoint ΔH/ΔS', () => {
    const midpointC = TRYPSIN_LIKE.denaturationEnthalpy / TRYPSIN_LIKE.denaturationEntropy - 273.15;
    const opt = argmax((t) => temperatureFactor(t, TRYPSIN_LIKE), 4, 80, 0.1);
    expect(opt).toBeGreaterThan(30);
    expect(opt).toBeLessThan(midpointC);
    // Denatured well above the midpoint: activity collapses.
    expect(temperatureFactor(midpointC + 15, TRYPSIN_LIKE)).toBeLessThan(
      0.1 * temperatureFactor(opt, TRYPSIN_LIKE),
    );
  });

  it('is linear in the enzyme concentration', () => {
    expect(initialRate(40, 8, 10, 0.1)).toBeCloseTo(2 * initialRate(40, 8, 10, 0.05), 9);
  });
});

describe('thermal inactivation', () => {
  it('halves the active enzyme in ln2/k at the reference temperature: hours at 37 °C, minutes at 60 °C', () => {
    const halfLifeMin = Math.LN2 / inactivationRate(45) / 60;
    expect(halfLifeMin).toBeCloseTo(Math.LN2 / 0.02, 6);
    expect(Math.LN2 / inactivationRate(37) / 3600).toBeGreaterThan(5); // hours
    expect(Math.LN2 / inactivationRate(60) / 60).toBeLessThan(2); // minutes
  });

  it('moves the apparent optimum lower in a longer assay', () => {
    // Product after t seconds with first-order inactivation and no substrate depletion: ∫ v·e^(−k·s) ds.
    const product = (tempC: number, seconds: number): number => {
      const k = inactivationRate(tempC);
      const v = turnoverRate(tempC, 8, 10, 0.05);
      return k > 0 ? (v * (1 - Math.exp(-k * seconds))) / k : v * seconds;
    };
    const optimum = (seconds: number): number => argmax((t) => product(t, seconds), 20, 80, 0.1);
    const instant = argmax((t) => turnoverRate(t, 8, 10, 0.05), 20, 80, 0.1);
    expect(optimum(60)).toBeLessThanOrEqual(instant);
    expect(optimum(3600)).toBeLessThan(optimum(60) - 1.5);
  });
});
