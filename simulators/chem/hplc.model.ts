/**
 * An inline HPLC with a UV detector sampling the reactor outlet. Sources: ../shared/research/instruments.md §6.3.
 *
 * The chromatogram is a sum of Gaussian peaks at fixed retention times — starting material (DFNB), the ortho and
 * para mono-substituted products and the bis adduct; pyrrolidine has no chromophore at 254 nm — on a baseline with
 * white noise σ = 20 µAU (a good system: ≤ 20–30 µAU) and a slow drift. Peak area = response factor × concentration
 * × injection precision (0.5 % RSD, within the 0.5–1 % area RSD of the notes). Response factors and retention times
 * are placeholders of a plausible reversed-phase method [G]. The data system integrates each peak over a window
 * around its retention time against a straight baseline and converts areas to concentrations with the same
 * calibration, as an HPLC method with external calibration does.
 */
import type { SeededRandom } from '../../src/common/seeded-random.js';
import type { Species5 } from './flow-path.model.js';

export interface PeakDef {
  name: string;
  /** Index into the outlet species (DFNB, pyrrolidine, ortho, para, bis). */
  species: number;
  /** Retention time, min. */
  rt: number;
  /** Area per concentration, mAU·s per M. */
  responseFactor: number;
}

export const PEAKS: readonly PeakDef[] = [
  { name: 'DFNB', species: 0, rt: 3.2, responseFactor: 12_000 },
  { name: 'ortho', species: 2, rt: 4.1, responseFactor: 15_000 },
  { name: 'para', species: 3, rt: 4.6, responseFactor: 14_000 },
  { name: 'bis', species: 4, rt: 6.3, responseFactor: 18_000 },
];

export const RUN_TIME_MIN = 8;
const SAMPLE_HZ = 2;
/** Peak standard deviation, min (plate count of a few thousand at these retention times). */
const PEAK_SIGMA_MIN = 0.04;
const NOISE_MAU = 0.02;
/** Integration window, ± min around the retention time. */
const WINDOW_MIN = 0.2;

export interface Chromatogram {
  /** min */
  time: number[];
  /** mAU */
  signal: number[];
}

export interface HplcResult {
  chromatogram: Chromatogram;
  peaks: { name: string; rt: number; area: number; concentration: number }[];
}

/** Simulates one injection of a sample with concentrations `c`; `rtShift` is a relative retention-time drift. */
export function inject(
  c: Species5,
  rng: SeededRandom,
  o: { rtShift?: number; baselineMau?: number } = {},
): HplcResult {
  const injection = 1 + rng.normal(0, 0.005);
  const shift = 1 + (o.rtShift ?? 0);
  const n = RUN_TIME_MIN * 60 * SAMPLE_HZ + 1;
  const time: number[] = [];
  const signal: number[] = [];
  const sigmaS = PEAK_SIGMA_MIN * 60;
  for (let i = 0; i < n; i++) {
    const tMin = i / (60 * SAMPLE_HZ);
    let y = (o.baselineMau ?? 0) + 0.01 * tMin + rng.normal(0, NOISE_MAU);
    for (const p of PEAKS) {
      const area = p.responseFactor * Math.max(0, c[p.species] ?? 0) * injection;
      const dt = (tMin - p.rt * shift) * 60;
      y += (area / (sigmaS * Math.sqrt(2 * Math.PI))) * Math.exp(-0.5 * (dt / sigmaS) ** 2);
    }
    time.push(Math.round(tMin * 1e4) / 1e4);
    signal.push(Math.round(y * 1e4) / 1e4);
  }
  const chromatogram = { time, signal };
  const peaks = PEAKS.map((p) => {
    const { area, apex } = integratePeak(chromatogram, p.rt * shift, WINDOW_MIN);
    return { name: p.name, rt: apex, area, concentration: area / p.responseFactor };
  });
  return { chromatogram, peaks };
}

/** Area (mAU·s) above a straight baseline between the window's ends, and the apex time. */
export function integratePeak(
  c: Chromatogram,
  center: number,
  halfWidth: number,
): { area: number; apex: number } {
  const idx = c.time.map((t, i) => [t, i] as const).filter(([t]) => Math.abs(t - center) <= halfWidth);
  if (idx.length < 3) return { area: 0, apex: center };
  const [t0, i0] = idx[0] as readonly [number, number];
  const [t1, i1] = idx[idx.length - 1] as readonly [number, number];
  const y0 = c.signal[i0] as number;
  const y1 = c.signal[i1] as number;
  let area = 0;
  let apex = center;
  let top = -Infinity;
  for (let k = 1; k < idx.length; k++) {
    const [ta, ia] = idx[k - 1] as readonly [number, number];
    const [tb, ib] = idx[k] as readonly [number, number];
    const base = (t: number): number => y0 + ((y1 - y0) * (t - t0)) / (t1 - t0);
    const ya = (c.signal[ia] as number) - base(ta);
    const yb = (c.signal[ib] as number) - base(tb);
    area += ((ya + yb) / 2) * (tb - ta) * 60;
    if (yb > top) {
      top = yb;
      apex = tb;
    }
  }
  return { area: Math.max(0, area), apex };
}
