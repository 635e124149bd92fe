/**
 * Cell growth and protein expression in a shaken 96-well culture (an E. coli-like strain with an IPTG-inducible
 * fluorescent reporter). Sources: ../shared/research/instruments.md §6.4.
 *
 * - Growth rate: Monod in the carbon and nitrogen sources, μ = μmax(T)·C/(Kc+C)·N/(Kn+N), with μmax(T) from the
 *   Ratkowsky (1983) square-root model √μ = b·(T − Tmin)·(1 − exp(c·(T − Tmax))). b is chosen so μmax(37 °C) =
 *   1.2 h⁻¹ (plate cultures 0.8–1.5 h⁻¹ at 37 °C); Tmin 5 °C and Tmax 47.5 °C are placeholders [G].
 * - Lag: Baranyi–Roberts adjustment α = q/(1+q), dq/dt = μmax·q, q0 = 1/(e^h0 − 1), h0 = μ·λ ≈ 1.8 (λ ≈ 1.5 h,
 *   within the 1.5–2.25 h reported for E. coli at 37 °C).
 * - Ceiling: oxygen transfer, which rises with shaking speed (logistic term X/Xo2(rpm)) [G]; substrate is consumed
 *   with a yield of 0.5 g dry weight per g carbon source (Y ≈ 0.5 g/g) and 12 % nitrogen in biomass; 1 OD600
 *   (1 cm) ≈ 0.4 g/L dry weight.
 * - Medium: yeast extract speeds growth (vitamins, precursors) and both complex sources give carbon and nitrogen;
 *   high total solutes slow growth (osmotic stress) [G], so the best medium is a mixture, not "more of everything".
 * - Expression: Luedeking–Piret dP/dt = α·dX/dt + β·X, times the Hill response to the inducer
 *   leak + (1 − leak)·I^n/(K^n + I^n) with K = 0.1 mM, n = 2, leak 3 % (within K 0.05–0.2 mM, n 1.5–2.5, leak 1–5 %),
 *   and a folding bell curve in temperature peaking at 28 °C (25–30 °C). Induction costs growth: up to 25 %
 *   (burden 10–40 %).
 */

export interface Medium {
  /** g/L */
  glucose: number;
  yeastExtract: number;
  tryptone: number;
  /** NH4Cl, g/L (from M9 salts). */
  ammonium: number;
  /** Other salts, g/L (M9: phosphates, NaCl). */
  salts: number;
}

export const STRAIN = {
  ratkowsky: { b: 0.03637, tMin: 5, tMax: 47.5, c: 0.27 },
  kCarbon: 0.1, // g/L
  kNitrogen: 0.02, // g/L
  yieldPerCarbon: 0.5, // g DW per g
  nitrogenInBiomass: 0.12, // g N per g DW
  dryWeightPerOd: 0.4, // g/L per OD600 (1 cm)
  h0: 1.8,
  burden: 0.25,
  expression: { alpha: 20, beta: 2, k: 0.1, n: 2, leak: 0.03, tOpt: 28, width: 9 },
} as const;

/** Maximum specific growth rate at a temperature, 1/h (Ratkowsky). */
export function maxGrowthRate(tempC: number): number {
  const { b, tMin, tMax, c } = STRAIN.ratkowsky;
  if (tempC <= tMin || tempC >= tMax) return 0;
  const root = b * (tempC - tMin) * (1 - Math.exp(c * (tempC - tMax)));
  return root * root;
}

/** Usable carbon and nitrogen in a medium, g/L (complex sources: about half carbon, 11–13 % nitrogen). */
export function nutrients(m: Medium): { carbon: number; nitrogen: number } {
  return {
    carbon: m.glucose + 0.5 * (m.yeastExtract + m.tryptone),
    nitrogen: 0.11 * m.yeastExtract + 0.13 * m.tryptone + 0.26 * m.ammonium,
  };
}

/** Growth-rate factor of the medium apart from carbon and nitrogen: yeast extract helps, solutes hurt. */
export function mediumFactor(m: Medium): number {
  const vitamins = (1 + (0.5 * m.yeastExtract) / (m.yeastExtract + 0.5)) / 1.5;
  const solutes = m.glucose + m.yeastExtract + m.tryptone + m.ammonium + m.salts;
  const osmotic = 1 / (1 + (solutes / 100) ** 3);
  return vitamins * osmotic;
}

/** Biomass ceiling set by oxygen transfer at a shaking speed, OD600 (1 cm). */
export function oxygenCeiling(rpm: number): number {
  return 0.3 + 3.2 * (1 - Math.exp(-rpm / 400));
}

/** Fraction of full expression at an inducer concentration (Hill). */
export function induction(inducerMM: number): number {
  const { k, n, leak } = STRAIN.expression;
  const i = Math.max(0, inducerMM) ** n;
  return leak + ((1 - leak) * i) / (k ** n + i);
}

/** Folding/solubility factor of the reporter at a temperature (1 at the optimum). */
export function expressionTemperatureFactor(tempC: number): number {
  const { tOpt, width } = STRAIN.expression;
  return Math.exp(-(((tempC - tOpt) / width) ** 2));
}

export interface CultureState {
  /** OD600 (1 cm). */
  od: number;
  /** Carbon and nitrogen left, g/L. */
  carbon: number;
  nitrogen: number;
  /** Baranyi physiological state. */
  q: number;
  /** Reporter protein, mg/L. */
  reporter: number;
}

export interface CultureEnv {
  tempC: number;
  rpm: number;
  inducerMM: number;
  /** mediumFactor() of the well's medium, fixed at inoculation. */
  mediumFactor: number;
}

/** Initial Baranyi state for a fresh inoculum. */
export function initialQ(): number {
  return 1 / (Math.exp(STRAIN.h0) - 1);
}

/** Time derivatives per hour of a culture. */
export function cultureRates(s: CultureState, env: CultureEnv): CultureState {
  if (s.od <= 0) return { od: 0, carbon: 0, nitrogen: 0, q: 0, reporter: 0 };
  const muMax = maxGrowthRate(env.tempC);
  const ind = induction(env.inducerMM);
  const c = Math.max(0, s.carbon);
  const n = Math.max(0, s.nitrogen);
  const monod = (c / (STRAIN.kCarbon + c)) * (n / (STRAIN.kNitrogen + n));
  const lag = s.q / (1 + s.q);
  const mu = muMax * env.mediumFactor * monod * (1 - STRAIN.burden * ind);
  const dOd = mu * lag * s.od * Math.max(0, 1 - s.od / oxygenCeiling(env.rpm));
  const dDw = dOd * STRAIN.dryWeightPerOd;
  const { alpha, beta } = STRAIN.expression;
  const active = lag * (c / (STRAIN.kCarbon + c));
  const dReporter = (alpha * dOd + beta * s.od * active) * ind * expressionTemperatureFactor(env.tempC);
  return {
    od: dOd,
    carbon: -dDw / STRAIN.yieldPerCarbon,
    nitrogen: -dDw * STRAIN.nitrogenInBiomass,
    q: muMax * s.q,
    reporter: dReporter,
  };
}
