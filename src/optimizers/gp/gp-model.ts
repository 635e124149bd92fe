/**
 * A Gaussian process conditioned on data with fixed hyperparameters: the posterior mean and variance of the latent
 * function at new points, with their gradients for the acquisition optimizer; batched prediction for raw candidate
 * sets; and fantasies (Kriging believer) that add points observed at their own posterior mean, by extending the
 * Cholesky factor instead of refactoring.
 */
import {
  cholesky,
  choleskySolve,
  extendCholesky,
  inverseFromCholesky,
  solveLower,
  solveLowerMany,
  solveUpperT,
} from '../numerics/linalg.js';
import { unpack, type Hyperparameters } from './gp-hyperparameters.js';
import { covariance, type GpData } from './gp-likelihood.js';
import { crossKernel, inverse, matern52, matern52Slope, scaledDistance } from './matern52.kernel.js';

export interface Prediction {
  mean: number;
  variance: number;
}

export interface PredictionWithGradient extends Prediction {
  dMean: Float64Array;
  dVariance: Float64Array;
}

/** Variance floor relative to the output scale, against round-off at the data points. */
const MIN_RELATIVE_VARIANCE = 1e-12;

export class GpModel {
  readonly h: Hyperparameters;
  private readonly inv: Float64Array;

  private constructor(
    readonly data: GpData,
    readonly theta: Float64Array,
    private readonly L: Float64Array,
    private readonly alpha: Float64Array,
  ) {
    this.h = unpack(theta, data.dim);
    this.inv = inverse(this.h.lengthscales);
  }

  static fit(data: GpData, theta: ArrayLike<number>): GpModel {
    const { L } = cholesky(covariance(data, theta), data.n);
    const t = Float64Array.from(theta);
    const mean = unpack(t, data.dim).mean;
    const alpha = choleskySolve(
      L,
      data.n,
      Float64Array.from(data.y, (v) => v - mean),
    );
    return new GpModel(data, t, L, alpha);
  }

  get n(): number {
    return this.data.n;
  }

  /** Posterior means at the training inputs: y_i − noise_i·α_i. */
  trainingMeans(): Float64Array {
    const { n, y, knownNoise } = this.data;
    return Float64Array.from(
      { length: n },
      (_, i) => y[i]! - (this.h.noise + (knownNoise?.[i] ?? 0)) * this.alpha[i]!,
    );
  }

  /**
   * Leave-one-out predictive means and variances (noise included) at the training points, in closed form
   * (Rasmussen & Williams eq. 5.12): μ₋ᵢ = yᵢ − αᵢ/[K⁻¹]ᵢᵢ, σ²₋ᵢ = 1/[K⁻¹]ᵢᵢ.
   */
  leaveOneOut(): { means: Float64Array; variances: Float64Array } {
    const n = this.n;
    const inv = inverseFromCholesky(this.L, n);
    const variances = Float64Array.from({ length: n }, (_, i) => 1 / inv[i * n + i]!);
    const means = Float64Array.from(
      { length: n },
      (_, i) => this.data.y[i]! - this.alpha[i]! * variances[i]!,
    );
    return { means, variances };
  }

  /** Mean and variance at each row of Z (m × dim), in one pass of triangular solves. */
  predictMany(Z: Float64Array, m: number): Prediction[] {
    const { X, n, dim } = this.data;
    const Kx = crossKernel(X, n, Z, m, dim, this.h);
    const V = solveLowerMany(this.L, n, Kx, m);
    const out: Prediction[] = [];
    for (let c = 0; c < m; c++) {
      let mean = this.h.mean;
      let reduce = 0;
      for (let i = 0; i < n; i++) {
        mean += Kx[i * m + c]! * this.alpha[i]!;
        reduce += V[i * m + c]! * V[i * m + c]!;
      }
      out.push({ mean, variance: this.floor(this.h.outputscale - reduce) });
    }
    return out;
  }

  /** Mean, variance and their gradients with respect to x. */
  predict(x: Float64Array): PredictionWithGradient {
    const { X, n, dim } = this.data;
    const s = this.h.outputscale;
    const k = new Float64Array(n);
    const slope = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = scaledDistance(X, i, x, 0, dim, this.inv);
      k[i] = s * matern52(r);
      slope[i] = s * matern52Slope(r);
    }
    const v = solveLower(this.L, n, k);
    const w = solveUpperT(this.L, n, v); // K⁻¹k
    let mean = this.h.mean;
    let reduce = 0;
    for (let i = 0; i < n; i++) {
      mean += k[i]! * this.alpha[i]!;
      reduce += v[i]! * v[i]!;
    }
    const dMean = new Float64Array(dim);
    const dVariance = new Float64Array(dim);
    for (let i = 0; i < n; i++) {
      // ∂k_i/∂x_d = −s·g(r)·(x_d − X_id)/ℓ_d²
      const a = this.alpha[i]!;
      const b = -2 * w[i]!;
      for (let d = 0; d < dim; d++) {
        const dk = -slope[i]! * (x[d]! - X[i * dim + d]!) * this.inv[d]! * this.inv[d]!;
        dMean[d] = dMean[d]! + a * dk;
        dVariance[d] = dVariance[d]! + b * dk;
      }
    }
    const raw = s - reduce;
    const variance = this.floor(raw);
    if (variance !== raw) dVariance.fill(0);
    return { mean, variance, dMean, dVariance };
  }

  /**
   * The model after observing the rows of Z (m × dim) at their current posterior means (Kriging believer): same
   * hyperparameters, same mean function, smaller variance near Z.
   */
  withFantasies(Z: Float64Array, m: number): GpModel {
    if (m === 0) return this;
    const { X, n, dim, y, knownNoise } = this.data;
    const means = this.predictMany(Z, m).map((p) => p.mean);
    const B = crossKernel(X, n, Z, m, dim, this.h);
    const C = crossKernel(Z, m, Z, m, dim, this.h);
    for (let i = 0; i < m; i++) C[i * m + i] = C[i * m + i]! + this.h.noise;
    const L = extendCholesky(this.L, n, B, C, m);
    const data: GpData = {
      X: concat(X, Z),
      n: n + m,
      dim,
      y: concat(y, Float64Array.from(means)),
      knownNoise: knownNoise ? concat(knownNoise, new Float64Array(m)) : undefined,
    };
    const alpha = choleskySolve(
      L,
      n + m,
      Float64Array.from(data.y, (v) => v - this.h.mean),
    );
    return new GpModel(data, this.theta, L, alpha);
  }

  private floor(variance: number): number {
    return Math.max(variance, MIN_RELATIVE_VARIANCE * this.h.outputscale);
  }
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
