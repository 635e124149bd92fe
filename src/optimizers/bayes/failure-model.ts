/**
 * Probability that an experiment at x succeeds, learned from failed ones: a GP fitted to labels +1 (success) and −1
 * (failure) — least-squares classification — whose output is turned into a probability by a probit link calibrated
 * on the leave-one-out predictions (Rasmussen & Williams §6.5): P(success) = Φ((a·μ + b)/√(1 + a²σ²)), with a and b
 * maximizing the leave-one-out likelihood of the labels. Cheap, smooth, differentiable; near many failures the
 * probability goes to nearly zero, far from all data it returns to the base rate.
 */
import { logNormalCdf, lowerMillsRatio } from '../numerics/special.js';
import { minimizeBounded } from '../numerics/lbfgsb.js';
import { fitHyperparameters } from '../gp/gp-fit.js';
import { priorMode } from '../gp/gp-hyperparameters.js';
import type { GpData } from '../gp/gp-likelihood.js';
import { GpModel } from '../gp/gp-model.js';

/**
 * Failure regions in a lab are contiguous (a reactor clogs above some temperature, a salt precipitates above some
 * concentration), so the failure model may not vary faster than this in the unit cube; left free, a sharp boundary
 * drives the fitted lengthscale so short that the space between failed points looks safe again.
 */
const MIN_LENGTHSCALE = 0.2;

export class FailureModel {
  private constructor(
    private readonly gp: GpModel,
    private readonly a: number,
    private readonly b: number,
  ) {}

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
    const { theta } = fitHyperparameters(subset(data, maxFitPoints), starts, {
      maxIterations: 60,
      minLengthscale: MIN_LENGTHSCALE,
      // Labels are ±1: a latent function of much larger amplitude would only be noise.
      maxOutputscale: 2,
    });
    const gp = GpModel.fit(data, theta);
    const { a, b } = calibrate(gp, data.y);
    return new FailureModel(gp, a, b);
  }

  logSuccess(z: Float64Array): { value: number; gradient: Float64Array } {
    const p = this.gp.predict(z);
    const s = Math.sqrt(1 + this.a * this.a * (p.variance + this.gp.h.noise));
    const t = this.a * p.mean + this.b;
    const u = t / s;
    // d log Φ(u)/du = φ(u)/Φ(u) = 1/R(u);  du = a·dμ/s − t·a²·dσ²/(2s³)
    const dLog = 1 / lowerMillsRatio(u);
    const gradient = Float64Array.from(
      p.dMean,
      (dm, d) => dLog * ((this.a * dm) / s - (t * this.a * this.a * p.dVariance[d]!) / (2 * s * s * s)),
    );
    return { value: logNormalCdf(u), gradient };
  }

  logSuccessMany(Z: Float64Array, m: number): Float64Array {
    return Float64Array.from(this.gp.predictMany(Z, m), (p) =>
      logNormalCdf(
        (this.a * p.mean + this.b) / Math.sqrt(1 + this.a * this.a * (p.variance + this.gp.h.noise)),
      ),
    );
  }
}

/** a, b maximizing Σ log Φ(tᵢ·(a·μ₋ᵢ + b)/√(1 + a²σ²₋ᵢ)) over the leave-one-out predictions. */
function calibrate(gp: GpModel, labels: Float64Array): { a: number; b: number } {
  const { means, variances } = gp.leaveOneOut();
  const nll = (a: number, b: number): number => {
    let s = 0;
    for (let i = 0; i < labels.length; i++)
      s -= logNormalCdf((labels[i]! * (a * means[i]! + b)) / Math.sqrt(1 + a * a * variances[i]!));
    return s;
  };
  const f = (x: Float64Array): { value: number; gradient: Float64Array } => {
    const h = 1e-6;
    const [a, b] = [x[0]!, x[1]!];
    return {
      value: nll(a, b),
      gradient: Float64Array.of(
        (nll(a + h, b) - nll(a - h, b)) / (2 * h),
        (nll(a, b + h) - nll(a, b - h)) / (2 * h),
      ),
    };
  };
  // a ≥ 1: with few points the leave-one-out fit is unreliable and may only sharpen the link, never flatten it.
  const r = minimizeBounded(f, [1, 0], [1, -5], [30, 5], { maxIterations: 50, gradientTolerance: 1e-6 });
  return { a: r.x[0]!, b: r.x[1]! };
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
