/**
 * Growth-curve fit: Zwietering's modified Gompertz model on y = ln(OD/OD₀),
 *   y(t) = A·exp(−exp(μm·e/A·(λ − t) + 1)),
 * giving the maximum specific growth rate μm (per time unit of t), the lag λ and the asymptote A, with standard
 * errors (Zwietering et al., Appl. Environ. Microbiol. 1990; ../shared/research/instruments.md §6.4).
 */
import { levenbergMarquardt } from './least-squares.js';

export interface GrowthFit {
  /** Maximum specific growth rate, 1/time. */
  muMax: number;
  muMaxSem: number;
  lag: number;
  lagSem: number;
  /** Asymptote of ln(OD/OD₀). */
  asymptote: number;
  /** ln 2 / μm. */
  doublingTime: number;
  converged: boolean;
}

export function gompertz(t: number, [A, mu, lag]: readonly number[]): number {
  const a = A as number;
  return a * Math.exp(-Math.exp((((mu as number) * Math.E) / a) * ((lag as number) - t) + 1));
}

export function fitGrowth(t: readonly number[], od: readonly number[]): GrowthFit | undefined {
  const n = Math.min(t.length, od.length);
  if (n < 5) return undefined;
  const od0 = Math.max(1e-9, Math.min(...od.slice(0, Math.min(3, n))));
  const y = od.slice(0, n).map((v) => Math.log(Math.max(v, 1e-9) / od0));
  const ts = t.slice(0, n);
  const A0 = Math.max(...y);
  if (!(A0 > 0)) return undefined;
  // Start from the steepest finite-difference slope and the tangent's intercept with y = 0.
  let best = 0;
  let at = 0;
  for (let i = 1; i < n; i++) {
    const s = ((y[i] as number) - (y[i - 1] as number)) / ((ts[i] as number) - (ts[i - 1] as number));
    if (s > best) {
      best = s;
      at = i;
    }
  }
  if (!(best > 0)) return undefined;
  const tm = ((ts[at] as number) + (ts[at - 1] as number)) / 2;
  const ym = ((y[at] as number) + (y[at - 1] as number)) / 2;
  const lag0 = Math.max(0, tm - ym / best);
  const fit = levenbergMarquardt(gompertz, ts, y, [A0, best, lag0]);
  const [A, mu, lag] = fit.params as [number, number, number];
  if (!(mu > 0) || !(A > 0) || !Number.isFinite(lag)) return undefined;
  return {
    muMax: mu,
    muMaxSem: fit.sem[1] ?? Number.NaN,
    lag,
    lagSem: fit.sem[2] ?? Number.NaN,
    asymptote: A,
    doublingTime: Math.LN2 / mu,
    converged: fit.converged,
  };
}
