import { rateConstants, simulateSnar } from './snar.model.js';

describe('SnAr benchmark model', () => {
  it('has the rate constants of the research notes at 90 °C', () => {
    const [ka, kb, kc, kd] = rateConstants(90);
    expect(ka).toBeCloseTo(34.74, 2);
    expect(kb).toBeCloseTo(1.62, 2);
    expect(kc).toBeCloseTo(0.519, 3);
    expect(kd).toBeCloseTo(0.978, 3);
  });

  // Reference vectors: ../shared/research/optimizers.md §4.3 (Summit's equations, RK45), within 1 %.
  it.each([
    [0.5, 1.0, 0.1, 30, 412.35, 235.21],
    [2, 1, 0.1, 30, 272.01, 88.46],
    [1.25, 3, 0.3, 75, 2358.86, 17.18],
    [0.5, 5, 0.5, 120, 3556.04, 33.73],
    [2, 5, 0.5, 120, 36.3, 847.22],
  ])('τ=%s min, %s equiv, %s M, %s °C → STY %s, E-factor %s', (tau, equiv, conc, temp, sty, eFactor) => {
    const out = simulateSnar({
      residenceTimeMin: tau,
      equivalents: equiv,
      concentrationM: conc,
      temperatureC: temp,
    });
    expect(Math.abs(out.sty / sty - 1)).toBeLessThan(0.01);
    expect(Math.abs(out.eFactor / eFactor - 1)).toBeLessThan(0.01);
  });

  it('finds the best STY of the coarse grid near 11 560 at (0.5, 5, 0.5, 30 °C)', () => {
    const out = simulateSnar({
      residenceTimeMin: 0.5,
      equivalents: 5,
      concentrationM: 0.5,
      temperatureC: 30,
    });
    expect(Math.abs(out.sty / 11560 - 1)).toBeLessThan(0.01);
    expect(Math.abs(out.eFactor / 9.76 - 1)).toBeLessThan(0.01);
  });

  it('conserves the aromatic ring: C1 + C3 + C4 + C5 equals the inlet DFNB', () => {
    const c = { residenceTimeMin: 1.3, equivalents: 2.2, concentrationM: 0.4, temperatureC: 95 };
    const [c1, , c3, c4, c5] = simulateSnar(c).concentrations;
    expect(c1 + c3 + c4 + c5).toBeCloseTo(0.4, 6);
  });

  it("makes more para and bis product in Summit's 2020 variant (para formed with k_a)", () => {
    const c = { residenceTimeMin: 1, equivalents: 3, concentrationM: 0.3, temperatureC: 80 };
    const now = simulateSnar(c);
    const old = simulateSnar(c, { variant: '2020' });
    expect(old.concentrations[3]).toBeGreaterThan(5 * now.concentrations[3]);
    expect(old.eFactor).toBeGreaterThan(now.eFactor);
  });
});
