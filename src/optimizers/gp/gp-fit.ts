/**
 * MAP fitting of the hyperparameters: bounded quasi-Newton on the negative log posterior from each start (a warm
 * start from an earlier fit, the prior modes, draws from the priors), keeping the best. Deterministic for given
 * data and starts.
 */
import { minimizeBounded } from '../numerics/lbfgsb.js';
import { bounds, priorMode } from './gp-hyperparameters.js';
import { negativeLogPosterior, type GpData } from './gp-likelihood.js';

export interface FitResult {
  theta: Float64Array;
  /** The negative log posterior at theta. */
  value: number;
  evaluations: number;
}

export interface FitOptions {
  maxIterations?: number;
}

export function fitHyperparameters(
  data: GpData,
  starts: readonly ArrayLike<number>[],
  options: FitOptions = {},
): FitResult {
  const { lower, upper } = bounds(data.dim);
  const f = (theta: Float64Array): { value: number; gradient: Float64Array } =>
    negativeLogPosterior(data, theta);
  let best: FitResult | undefined;
  let evaluations = 0;
  for (const start of starts.length > 0 ? starts : [priorMode(data.dim)]) {
    const r = minimizeBounded(f, start, lower, upper, {
      maxIterations: options.maxIterations ?? 100,
      gradientTolerance: 1e-5,
      relativeTolerance: 1e-9,
    });
    evaluations += r.evaluations;
    if (Number.isFinite(r.value) && (!best || r.value < best.value))
      best = { theta: r.x, value: r.value, evaluations: 0 };
  }
  const theta = best?.theta ?? Float64Array.from(priorMode(data.dim));
  return { theta, value: best?.value ?? Infinity, evaluations };
}
