/**
 * The SnAr benchmark in a plug-flow reactor (Summit `SnarBenchmark`; Hone et al., React. Chem. Eng. 2017, 2,
 * 103–108), exactly as written up in ../shared/research/optimizers.md §4.3: 2,4-difluoronitrobenzene (1) +
 * pyrrolidine (2) → ortho product (3, desired) and para product (4); both react on to the bis adduct (5).
 * Four Arrhenius rate constants; objectives space-time yield (maximize) and E-factor (minimize).
 *
 * `variant: '2020'` is Summit's 2020 kinetics, in which the para product is formed with k_a instead of k_b; the
 * published optimizer comparisons were made on it (../shared/research/snar-hv.md).
 */
import { integrate } from '../common/ode.js';

export interface SnarConditions {
  /** Residence time τ, min (published bounds 0.5–2). */
  residenceTimeMin: number;
  /** Pyrrolidine equivalents (1–5). */
  equivalents: number;
  /** DFNB inlet concentration, M (0.1–0.5). */
  concentrationM: number;
  /** Reactor temperature, °C (30–120). */
  temperatureC: number;
}

export interface SnarOutcome {
  /** Space-time yield of the ortho product, kg m⁻³ h⁻¹. */
  sty: number;
  eFactor: number;
  /** Outlet concentrations of species 1–5, M. */
  concentrations: [number, number, number, number, number];
}

export type SnarVariant = 'current' | '2020';

export const SNAR_BOUNDS = {
  residenceTimeMin: [0.5, 2],
  equivalents: [1, 5],
  concentrationM: [0.1, 0.5],
  temperatureC: [30, 120],
} as const;

/** Molar masses, g/mol: DFNB, pyrrolidine, ortho, para, bis. */
export const MOLAR_MASS = [159.09, 71.12, 210.21, 210.21, 261.33] as const;
const ETHANOL_DENSITY = 789; // g/L
const R = 8.314e-3; // kJ/(mol·K)
// Summit converts °C with 273.71 (sic); kept so the benchmark matches its published numbers.
const KELVIN = 273.71;
const T_REF = 90 + KELVIN;
/** k_ref at 90 °C in 10⁻² M⁻¹ s⁻¹ and Ea in kJ/mol, for steps a, b, c, d. */
const KINETICS = [
  { kref: 57.9, ea: 33.3 },
  { kref: 2.7, ea: 35.3 },
  { kref: 0.865, ea: 38.9 },
  { kref: 1.63, ea: 44.8 },
] as const;

/** Rate constants in M⁻¹ min⁻¹ (0.6 converts 10⁻² M⁻¹ s⁻¹). */
export function rateConstants(temperatureC: number): [number, number, number, number] {
  const T = temperatureC + KELVIN;
  const k = KINETICS.map(({ kref, ea }) => 0.6 * kref * Math.exp((-ea / R) * (1 / T - 1 / T_REF)));
  return k as [number, number, number, number];
}

/** Outlet concentrations after τ minutes of plug flow. */
export function outletConcentrations(
  c: SnarConditions,
  variant: SnarVariant = 'current',
): [number, number, number, number, number] {
  const [ka, kb, kc, kd] = rateConstants(c.temperatureC);
  const c1in = c.concentrationM;
  const c2in = c.equivalents * c.concentrationM;
  const paraRate = variant === '2020' ? ka : kb;
  const y = integrate(
    (_t, C) => {
      // As Summit: reactants below 1e-6 of their inlet value count as spent.
      const c1 = (C[0] as number) < 1e-6 * c1in ? 0 : (C[0] as number);
      const c2 = (C[1] as number) < 1e-6 * c2in ? 0 : (C[1] as number);
      const [c3, c4] = [C[2] as number, C[3] as number];
      return [
        -(ka + kb) * c1 * c2,
        -(ka + kb) * c1 * c2 - kc * c2 * c3 - kd * c2 * c4,
        ka * c1 * c2 - kc * c2 * c3,
        paraRate * c1 * c2 - kd * c2 * c4,
        kc * c2 * c3 + kd * c2 * c4,
      ];
    },
    [c1in, c2in, 0, 0, 0],
    0,
    c.residenceTimeMin,
  );
  return y.map((v) => Math.max(0, v)) as [number, number, number, number, number];
}

/** The objectives from outlet concentrations (after any measurement noise). */
export function snarObjectives(
  C: readonly number[],
  residenceTimeMin: number,
): { sty: number; eFactor: number } {
  const c3 = C[2] ?? 0;
  const sty = Math.max(1e-6, (60 * MOLAR_MASS[2] * c3) / residenceTimeMin);
  let waste = ETHANOL_DENSITY;
  for (let i = 0; i < 5; i++) if (i !== 2) waste += MOLAR_MASS[i]! * (C[i] ?? 0);
  const eFactor = c3 <= 1e-12 ? 1000 : Math.min(1000, waste / (MOLAR_MASS[2] * c3));
  return { sty, eFactor };
}

export function simulateSnar(c: SnarConditions, o: { variant?: SnarVariant } = {}): SnarOutcome {
  const concentrations = outletConcentrations(c, o.variant);
  return { ...snarObjectives(concentrations, c.residenceTimeMin), concentrations };
}
