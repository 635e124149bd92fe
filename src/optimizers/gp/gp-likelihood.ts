/**
 * The negative log posterior of the hyperparameters — −(log marginal likelihood + log prior) — and its exact
 * gradient, for MAP fitting:
 *   log p(y | θ) = −½ rᵀK⁻¹r − ½ log|K| − (n/2) log 2π,  r = y − c,  K = s·M(ℓ) + diag(σ²ₙ + v_i),
 *   ∂/∂θ_j log p = ½ tr((ααᵀ − K⁻¹) ∂K/∂θ_j),  α = K⁻¹r,
 * where v_i is the known variance of observation i (its squared standard error), zero when not given.
 */
import { cholesky, choleskySolve, inverseFromCholesky, logDetFromCholesky } from '../numerics/linalg.js';
import { inverse, kernelMatrix, matern52Slope, scaledDistance } from './matern52.kernel.js';
import { logPrior, parameterCount, unpack } from './gp-hyperparameters.js';

export interface GpData {
  /** Inputs, row-major n × dim, in [0, 1]. */
  X: Float64Array;
  n: number;
  dim: number;
  /** Standardized outputs. */
  y: Float64Array;
  /** Known observation variances (standardized units), or undefined. */
  knownNoise?: Float64Array;
}

const LOG_2PI = Math.log(2 * Math.PI);

/** K(θ) with the noise on its diagonal. */
export function covariance(data: GpData, theta: ArrayLike<number>): Float64Array {
  const h = unpack(theta, data.dim);
  const K = kernelMatrix(data.X, data.n, data.dim, h);
  for (let i = 0; i < data.n; i++)
    K[i * data.n + i] = K[i * data.n + i]! + h.noise + (data.knownNoise?.[i] ?? 0);
  return K;
}

/** −log posterior and its gradient; Infinity when K cannot be factored even with jitter. */
export function negativeLogPosterior(
  data: GpData,
  theta: ArrayLike<number>,
): { value: number; gradient: Float64Array } {
  const { n, dim } = data;
  const gradient = new Float64Array(parameterCount(dim));
  let factor: { L: Float64Array };
  try {
    factor = cholesky(covariance(data, theta), n);
  } catch {
    return { value: Infinity, gradient };
  }
  const h = unpack(theta, dim);
  const r = Float64Array.from(data.y, (v) => v - h.mean);
  const alpha = choleskySolve(factor.L, n, r);
  let fit = 0;
  for (let i = 0; i < n; i++) fit += r[i]! * alpha[i]!;
  const logLik = -0.5 * fit - 0.5 * logDetFromCholesky(factor.L, n) - 0.5 * n * LOG_2PI;
  // W = ααᵀ − K⁻¹; the gradient of log p is ½ tr(W ∂K/∂θ).
  const W = inverseFromCholesky(factor.L, n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) W[i * n + j] = alpha[i]! * alpha[j]! - W[i * n + j]!;
  accumulateKernelGradient(data, h.lengthscales, h.outputscale, W, gradient);
  let traceW = 0;
  for (let i = 0; i < n; i++) traceW += W[i * n + i]!;
  gradient[dim + 1] = 0.5 * h.noise * traceW;
  let sumAlpha = 0;
  for (let i = 0; i < n; i++) sumAlpha += alpha[i]!;
  gradient[dim + 2] = sumAlpha;
  const lp = logPrior(theta, dim, gradient);
  for (let i = 0; i < gradient.length; i++) gradient[i] = -gradient[i]!;
  return { value: -(logLik + lp), gradient };
}

/** Adds ½ tr(W ∂K/∂log ℓ_d) for each d and ½ tr(W ∂K/∂log s) into `gradient`. */
function accumulateKernelGradient(
  data: GpData,
  lengthscales: Float64Array,
  outputscale: number,
  W: Float64Array,
  gradient: Float64Array,
): void {
  const { X, n, dim } = data;
  const inv = inverse(lengthscales);
  const perDim = new Float64Array(dim);
  let scaleTerm = 0;
  for (let i = 0; i < n; i++) {
    scaleTerm += 0.5 * W[i * n + i]! * outputscale;
    for (let j = 0; j < i; j++) {
      const w = W[i * n + j]!;
      const r = scaledDistance(X, i, X, j, dim, inv);
      const e = Math.exp(-Math.sqrt(5) * r);
      const a = Math.sqrt(5) * r;
      // Off-diagonal pairs count twice in the trace, which cancels the ½.
      scaleTerm += w * outputscale * (1 + a + (a * a) / 3) * e;
      const g = w * outputscale * matern52Slope(r);
      for (let d = 0; d < dim; d++) {
        const t = (X[i * dim + d]! - X[j * dim + d]!) * inv[d]!;
        perDim[d] = perDim[d]! + g * t * t;
      }
    }
  }
  for (let d = 0; d < dim; d++) gradient[d] = perDim[d]!;
  gradient[dim] = scaleTerm;
}
