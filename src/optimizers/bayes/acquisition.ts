/**
 * Acquisition functions on a fitted GP, in standardized units, with gradients for the local optimizer:
 * - LogEI (default): log expected improvement over the best posterior mean at the data (robust to noise), computed
 *   stably far below the incumbent (numerics/log-ei.ts);
 * - UCB: μ + κ·σ.
 * With a failure model, log P(success) is added: EI·P(success) in log space, the constrained EI of Gardner et al.
 * (2014) / Gelbart et al. (2014), so regions where experiments failed are avoided in proportion to the evidence.
 */
import { logH } from '../numerics/log-ei.js';
import type { GpModel } from '../gp/gp-model.js';
import type { FailureModel } from './failure-model.js';

export type AcquisitionKind = 'logei' | 'ucb';

export interface Acquisition {
  value(z: Float64Array): number;
  valueAndGradient(z: Float64Array): { value: number; gradient: Float64Array };
  /** Values at the rows of Z (m × dim). */
  values(Z: Float64Array, m: number): Float64Array;
}

export interface AcquisitionSpec {
  kind: AcquisitionKind;
  gp: GpModel;
  /** Incumbent in standardized units (LogEI). */
  best: number;
  /** UCB's exploration weight. */
  kappa: number;
  failure?: FailureModel;
}

export function makeAcquisition(spec: AcquisitionSpec): Acquisition {
  const core = (mean: number, variance: number): { value: number; dMean: number; dVariance: number } => {
    const sigma = Math.sqrt(variance);
    if (spec.kind === 'ucb')
      return { value: mean + spec.kappa * sigma, dMean: 1, dVariance: (0.5 * spec.kappa) / sigma };
    const u = (mean - spec.best) / sigma;
    const h = logH(u);
    // d/dμ = h'(u)/σ;  d/dσ² = (h'(u)·(−u/σ) + 1/σ)·(1/(2σ))
    return {
      value: h.value + Math.log(sigma),
      dMean: h.dz / sigma,
      dVariance: (1 - h.dz * u) / (2 * variance),
    };
  };
  return {
    value(z) {
      const p = spec.gp.predictMany(z, 1)[0]!;
      return core(p.mean, p.variance).value + (spec.failure?.logSuccess(z).value ?? 0);
    },
    valueAndGradient(z) {
      const p = spec.gp.predict(z);
      const c = core(p.mean, p.variance);
      const gradient = Float64Array.from(p.dMean, (dm, d) => c.dMean * dm + c.dVariance * p.dVariance[d]!);
      let value = c.value;
      if (spec.failure) {
        const f = spec.failure.logSuccess(z);
        value += f.value;
        for (let d = 0; d < gradient.length; d++) gradient[d] = gradient[d]! + f.gradient[d]!;
      }
      return { value, gradient };
    },
    values(Z, m) {
      const preds = spec.gp.predictMany(Z, m);
      const failures = spec.failure?.logSuccessMany(Z, m);
      return Float64Array.from(preds, (p, i) => core(p.mean, p.variance).value + (failures?.[i] ?? 0));
    },
  };
}
