/**
 * What a plate reader sees in a well. Sources: ../shared/research/instruments.md §6.4.
 *
 * Absorbance: Beer–Lambert per species, path length = volume / well area (200 µL ≈ 0.6 cm), plus the empty clear
 * plate's ≈ 0.037 OD. Measurement: A·(1 + N(0, 0.5 %)) + N(0, 0.003) (BioTek Synergy HT figures: ±1 % ± 0.010 OD
 * accuracy), and stray light that bends readings above ≈ 2.5 OD and caps them near 3.5:
 * A_obs = −log10(10^−A + 10^−3.5).
 * Fluorescence: counts proportional to the fluorophore in the light path and to the gain (×2 per 10 gain steps),
 * autofluorescence of cells, a dark background, CV ≈ 2 % (2–5 %), and a detector that overflows at 100,000 counts.
 *
 * Spectra: p-nitroaniline (the product of chromogenic protease substrates such as BAPNA) peaks at 381 nm with
 * ε405 = 9.96 mM⁻¹cm⁻¹ (literature value, not from the notes); cells scatter as OD600·(600/λ)²; the GFP-like
 * reporter absorbs at 488 nm (ε ≈ 55 mM⁻¹cm⁻¹, 27 kDa). The substrate itself absorbs weakly at 405 nm [G].
 */
import type { SeededRandom } from '../../src/common/seeded-random.js';
import { WELL_AREA_CM2, type Liquid } from './labware.js';

export const EMPTY_PLATE_OD = 0.037;
export const STRAY_LIGHT = 10 ** -3.5;
export const SATURATION_OD = 2.5;
export const DETECTOR_MAX = 100_000;

function band(lambda: number, peak: number, width: number): number {
  return Math.exp(-(((lambda - peak) / width) ** 2));
}

/** Absorbance per cm of a liquid at a wavelength (nm). */
export function absorbancePerCm(l: Liquid, lambda: number): number {
  const pna = (9.96 * band(lambda, 381, 45)) / band(405, 381, 45);
  const substrate = (0.05 * band(lambda, 320, 40)) / band(405, 320, 40);
  const reporterMM = l.conc('reporter') / 27_000;
  return (
    pna * l.conc('product') +
    substrate * l.conc('substrate') +
    55 * band(lambda, 488, 20) * reporterMM +
    l.conc('cells') * (600 / lambda) ** 2
  );
}

export function pathLengthCm(volumeUL: number): number {
  return volumeUL / 1000 / WELL_AREA_CM2;
}

/** The true absorbance of a well (no noise, no stray light), plate included. */
export function trueAbsorbance(l: Liquid, lambda: number): number {
  return EMPTY_PLATE_OD + absorbancePerCm(l, lambda) * pathLengthCm(l.volume);
}

/** What the detector reports for a true absorbance. */
export function measuredAbsorbance(trueOd: number, rng: SeededRandom): number {
  const noisy = trueOd * (1 + rng.normal(0, 0.005)) + rng.normal(0, 0.003);
  const observed = -Math.log10(10 ** -noisy + STRAY_LIGHT);
  return Math.round(observed * 10_000) / 10_000;
}

/** Fluorescence counts at ex/em for the reporter (GFP-like: ex 485, em 528) at a gain. */
export function trueFluorescence(l: Liquid, excitation: number, emission: number, gain: number): number {
  const spectral = band(excitation, 488, 25) * band(emission, 510, 30);
  const amount = (l.volume / 200) * (400 * l.conc('reporter') * spectral + 150 * l.conc('cells'));
  return 2 ** ((gain - 80) / 10) * amount + 50;
}

export function measuredFluorescence(trueCounts: number, rng: SeededRandom): number {
  const noisy = trueCounts * (1 + rng.normal(0, 0.02)) + rng.normal(0, 15);
  return Math.min(DETECTOR_MAX, Math.max(0, Math.round(noisy)));
}
