/**
 * The GP's hyperparameters as one vector θ, their bounds and their priors (../shared/research/optimizers.md §3):
 * θ = [log ℓ₁ … log ℓ_D, log s, log σ²ₙ, c] for lengthscales, output scale, noise variance and constant mean, on
 * inputs in [0, 1]^D and standardized outputs.
 *
 * - lengthscales: LogNormal(√2 + ½·ln D, √3), the dimension-scaled prior of BoTorch's SingleTaskGP (Hvarfner et
 *   al., ICML 2024), bounded below by 0.025 as there;
 * - output scale: Gamma(2, 0.15), BoTorch's classic Matern prior, weak on standardized data;
 * - noise variance: LogNormal(−6, 2), bounded below by 1e-6 (Optuna's floor). Wider and lower than BoTorch's
 *   LogNormal(−4, 1), whose tight tail keeps the fitted noise near 1e-3 of the output variance even on exact data
 *   and stalls convergence there (Branin: median regret 6e-3 instead of 6e-4 after 30 evaluations); noisy
 *   objectives still get their noise from the likelihood, and known standard errors are used as they are;
 * - constant mean: flat, within ±10 standard deviations.
 * Priors are densities of the values themselves (as GPyTorch), evaluated at exp(θ).
 */

export interface Hyperparameters {
  lengthscales: Float64Array;
  outputscale: number;
  noise: number;
  mean: number;
}

const SQRT3 = Math.sqrt(3);
const OUTPUTSCALE_PRIOR = { shape: 2, rate: 0.15 };
const NOISE_PRIOR = { mu: -6, sigma: 2 };

export const BOUNDS = {
  lengthscale: [0.025, 1e3],
  outputscale: [1e-2, 1e2],
  noise: [1e-6, 10],
  mean: [-10, 10],
} as const;

export function parameterCount(dim: number): number {
  return dim + 3;
}

export function unpack(theta: ArrayLike<number>, dim: number): Hyperparameters {
  return {
    lengthscales: Float64Array.from({ length: dim }, (_, d) => Math.exp(theta[d]!)),
    outputscale: Math.exp(theta[dim]!),
    noise: Math.exp(theta[dim + 1]!),
    mean: theta[dim + 2]!,
  };
}

export function pack(h: Hyperparameters): Float64Array {
  const dim = h.lengthscales.length;
  const theta = new Float64Array(parameterCount(dim));
  for (let d = 0; d < dim; d++) theta[d] = Math.log(h.lengthscales[d]!);
  theta[dim] = Math.log(h.outputscale);
  theta[dim + 1] = Math.log(h.noise);
  theta[dim + 2] = h.mean;
  return theta;
}

export function bounds(dim: number): { lower: Float64Array; upper: Float64Array } {
  const lower = new Float64Array(parameterCount(dim));
  const upper = new Float64Array(parameterCount(dim));
  const set = (i: number, [lo, hi]: readonly [number, number], log: boolean): void => {
    lower[i] = log ? Math.log(lo) : lo;
    upper[i] = log ? Math.log(hi) : hi;
  };
  for (let d = 0; d < dim; d++) set(d, BOUNDS.lengthscale, true);
  set(dim, BOUNDS.outputscale, true);
  set(dim + 1, BOUNDS.noise, true);
  set(dim + 2, BOUNDS.mean, false);
  return { lower, upper };
}

function lengthscalePrior(dim: number): { mu: number; sigma: number } {
  return { mu: Math.SQRT2 + 0.5 * Math.log(dim), sigma: SQRT3 };
}

/** The modes of the priors (mean 0): where fitting starts when nothing better is known. */
export function priorMode(dim: number): Float64Array {
  const ls = lengthscalePrior(dim);
  const theta = new Float64Array(parameterCount(dim));
  const lsMode = Math.max(ls.mu - ls.sigma ** 2, Math.log(BOUNDS.lengthscale[0]));
  for (let d = 0; d < dim; d++) theta[d] = lsMode;
  theta[dim] = Math.log((OUTPUTSCALE_PRIOR.shape - 1) / OUTPUTSCALE_PRIOR.rate);
  theta[dim + 1] = NOISE_PRIOR.mu - NOISE_PRIOR.sigma ** 2;
  theta[dim + 2] = 0;
  return theta;
}

/** A start that explains the data as smooth and noisy, against an early fit that interpolates noise. */
export function noisyStart(dim: number): Float64Array {
  const theta = priorMode(dim);
  for (let d = 0; d < dim; d++) theta[d] = Math.log(0.5 * Math.sqrt(dim));
  theta[dim] = 0;
  theta[dim + 1] = Math.log(0.1);
  return theta;
}

/** A draw from the priors, for extra fitting restarts (`normal` is a standard normal source). */
export function priorSample(dim: number, normal: () => number): Float64Array {
  const ls = lengthscalePrior(dim);
  const { lower, upper } = bounds(dim);
  const theta = priorMode(dim);
  for (let d = 0; d < dim; d++) theta[d] = ls.mu + ls.sigma * normal();
  theta[dim] = Math.log(1 + Math.abs(normal()));
  theta[dim + 1] = NOISE_PRIOR.mu + NOISE_PRIOR.sigma * normal();
  for (let i = 0; i < theta.length; i++) theta[i] = Math.min(upper[i]!, Math.max(lower[i]!, theta[i]!));
  return theta;
}

/** log p(θ) up to a constant, and its gradient with respect to θ (added into `grad`). */
export function logPrior(theta: ArrayLike<number>, dim: number, grad: Float64Array): number {
  const ls = lengthscalePrior(dim);
  let lp = 0;
  for (let d = 0; d < dim; d++) {
    const u = theta[d]!;
    lp += -u - (u - ls.mu) ** 2 / (2 * ls.sigma ** 2);
    grad[d] = grad[d]! - 1 - (u - ls.mu) / ls.sigma ** 2;
  }
  const us = theta[dim]!;
  lp += (OUTPUTSCALE_PRIOR.shape - 1) * us - OUTPUTSCALE_PRIOR.rate * Math.exp(us);
  grad[dim] = grad[dim]! + OUTPUTSCALE_PRIOR.shape - 1 - OUTPUTSCALE_PRIOR.rate * Math.exp(us);
  const un = theta[dim + 1]!;
  lp += -un - (un - NOISE_PRIOR.mu) ** 2 / (2 * NOISE_PRIOR.sigma ** 2);
  grad[dim + 1] = grad[dim + 1]! - 1 - (un - NOISE_PRIOR.mu) / NOISE_PRIOR.sigma ** 2;
  return lp;
}
