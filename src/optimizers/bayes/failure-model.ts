/**
 * Probability that an experiment at x succeeds, learned from failed ones: a GP fitted to labels +1 (success) and −1
 * (failure) — least-squares classification (Rasmussen & Williams §6.5) — squashed by the probit link with the
 * latent variance: P(success) = Φ(μ/√(1 + σ²)). Cheap, smooth, differentiable, and honest far from data, where
 * the probability returns to the base rate.
 */
import { logNormalCdf, lowerMillsRatio } from '../numerics/special.js';
import { fitHyperparameters } from '../gp/gp-fit.js';
import { priorMode } from '../gp/gp-hyperparameters.js';
import type { GpData } from '../gp/gp-likelihood.js';
import { GpModel } from '../gp/gp-model.js';

export class FailureModel {
  private constructor(private readonly gp: GpModel) {}

  /**
   * Undefined when nothing failed: then every point is taken to succeed. Hyperparameters are fitted on at most
   * `maxFitPoints` observations (every failure first, then an even spread of successes); the GP uses them all.
   */
  static fit(
    X: Float64Array,
    succeeded: readonly boolean[],
    dim: number,
    warm: Float64Array | undefined,
    maxFitPoints: number,
  ): FailureModel | undefined {
    if (succeeded.every(Boolean)) return undefined;
    const data: GpData = {
      X,
      n: succeeded.length,
      dim,
      y: Float64Array.from(succeeded, (s) => (s ? 1 : -1)),
    };
    const starts = warm ? [warm, priorMode(dim)] : [priorMode(dim)];
    const { theta } = fitHyperparameters(subset(data, maxFitPoints), starts, { maxIterations: 60 });
    return new FailureModel(GpModel.fit(data, theta));
  }

  logSuccess(z: Float64Array): { value: number; gradient: Float64Array } {
    const p = this.gp.predict(z);
    const s = Math.sqrt(1 + p.variance);
    const a = p.mean / s;
    // d log Φ(a)/da = φ(a)/Φ(a) = 1/R(a); da = dμ/s − ½·μ·dσ²/s³
    const dLog = 1 / lowerMillsRatio(a);
    const gradient = Float64Array.from(
      p.dMean,
      (dm, d) => dLog * (dm / s - (0.5 * p.mean * p.dVariance[d]!) / (s * s * s)),
    );
    return { value: logNormalCdf(a), gradient };
  }

  logSuccessMany(Z: Float64Array, m: number): Float64Array {
    return Float64Array.from(this.gp.predictMany(Z, m), (p) =>
      logNormalCdf(p.mean / Math.sqrt(1 + p.variance)),
    );
  }
}

function subset(data: GpData, max: number): GpData {
  if (data.n <= max) return data;
  const failed = [...data.y.keys()].filter((i) => data.y[i]! < 0).slice(0, Math.ceil(max / 2));
  const ok = [...data.y.keys()].filter((i) => data.y[i]! > 0);
  const need = max - failed.length;
  const spread = Array.from(
    { length: Math.min(need, ok.length) },
    (_, j) => ok[Math.floor((j * ok.length) / need)]!,
  );
  const rows = [...failed, ...spread].sort((a, b) => a - b);
  const X = new Float64Array(rows.length * data.dim);
  rows.forEach((r, i) => X.set(data.X.subarray(r * data.dim, (r + 1) * data.dim), i * data.dim));
  return { X, n: rows.length, dim: data.dim, y: Float64Array.from(rows, (r) => data.y[r]!) };
}
