/**
 * Enzyme kinetics for the simulated assay: Michaelis–Menten rate with a temperature optimum from reversible thermal
 * denaturation and a pH optimum from a diprotic ionization model. Sources (see ../shared/research/instruments.md
 * §6.4): the temperature form is Bailey & Ollis, V(T) = β·exp(−E/RT) / (1 + exp(ΔS_d/R)·exp(−ΔH_d/RT)), with
 * trypsin's denaturation constants ΔH_d = 68 kcal/mol, ΔS_d = 213 cal/mol/K; the pH factor is
 * 1 / (1 + 10^(pKa−pH) + 10^(pH−pKb)), whose optimum is (pKa + pKb)/2 (trypsin: about 8). kcat and Km are
 * placeholders of the right order for a protease on a chromogenic substrate, not one enzyme's fitted values.
 */

const R = 1.987; // cal/(mol·K)

export interface EnzymeConstants {
  /** Catalytic constant at the reference temperature, 1/s. */
  kcat: number;
  /** Michaelis constant, mM. */
  km: number;
  /** Activation energy of catalysis, cal/mol. */
  activationEnergy: number;
  /** Denaturation enthalpy and entropy (trypsin, Bailey & Ollis). */
  denaturationEnthalpy: number;
  denaturationEntropy: number;
  pKa: number;
  pKb: number;
}

export const TRYPSIN_LIKE: EnzymeConstants = {
  kcat: 40,
  km: 2.5,
  activationEnergy: 12_000,
  denaturationEnthalpy: 68_000,
  denaturationEntropy: 213,
  pKa: 6.5,
  pKb: 9.5,
};

/** Relative activity from temperature, 1 at 25 °C before denaturation. */
export function temperatureFactor(tempC: number, k: EnzymeConstants): number {
  const T = tempC + 273.15;
  const Tref = 298.15;
  const arrhenius = Math.exp((-k.activationEnergy / R) * (1 / T - 1 / Tref));
  const denatured = Math.exp(k.denaturationEntropy / R) * Math.exp(-k.denaturationEnthalpy / (R * T));
  return arrhenius / (1 + denatured);
}

export function phFactor(ph: number, k: EnzymeConstants): number {
  return 1 / (1 + 10 ** (k.pKa - ph) + 10 ** (ph - k.pKb));
}

/** Initial rate in µM/min for enzyme concentration `enzymeUM` (µM) and substrate `substrateMM` (mM). */
export function initialRate(
  tempC: number,
  ph: number,
  substrateMM: number,
  enzymeUM: number,
  k: EnzymeConstants = TRYPSIN_LIKE,
): number {
  const mm = (k.kcat * enzymeUM * substrateMM) / (k.km + substrateMM); // µM/s
  return mm * 60 * temperatureFactor(tempC, k) * phFactor(ph, k);
}

/**
 * Irreversible thermal inactivation (the Lumry–Eyring "N ⇌ U → I" limit): active enzyme decays at a first-order
 * rate with an Arrhenius temperature dependence, so a longer assay finds its optimum at a lower temperature
 * (instruments.md §6.4: Peterson et al. 2007; the optimum shifts lower with assay time). Constants are placeholders
 * in the range reported for unfolding (activation energies of 200–400 kJ/mol; trypsin-like proteases lose activity
 * within minutes at 60 °C) — not fitted to one enzyme.
 */
export interface InactivationConstants {
  /** Rate at the reference temperature, 1/min. */
  kRefPerMin: number;
  tRefC: number;
  /** Activation energy of inactivation, J/mol. */
  activationEnergy: number;
}

export const TRYPSIN_LIKE_INACTIVATION: InactivationConstants = {
  kRefPerMin: 0.02, // half-life 35 min at 45 °C; hours at 37 °C, a minute at 60 °C
  tRefC: 45,
  activationEnergy: 250_000,
};

/** First-order inactivation rate of active enzyme, 1/s. */
export function inactivationRate(
  tempC: number,
  c: InactivationConstants = TRYPSIN_LIKE_INACTIVATION,
): number {
  const T = tempC + 273.15;
  const Tref = c.tRefC + 273.15;
  return (c.kRefPerMin / 60) * Math.exp((-c.activationEnergy / 8.314) * (1 / T - 1 / Tref));
}

/** Rate of product formation, mM/s, for the active enzyme `activeUM` (µM) at substrate `substrateMM` (mM). */
export function turnoverRate(
  tempC: number,
  ph: number,
  substrateMM: number,
  activeUM: number,
  k: EnzymeConstants = TRYPSIN_LIKE,
): number {
  if (substrateMM <= 0 || activeUM <= 0) return 0;
  return initialRate(tempC, ph, substrateMM, activeUM, k) / 60 / 1000;
}
