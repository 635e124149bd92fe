/**
 * MAP fitting of the hyperparameters: bounded quasi-Newton on the negative log posterior from each start (a warm
 * start from an earlier fit, the prior modes, draws from the priors), keeping the best. Deterministic for given
 * data and starts.
 */
import { minimizeBounded } from '../numerics/lbfgsb.js';
import { bounds, priorMode } from './gp-hyperparameters.js';
import { negativeLogPosterior, type GpData } from './gp-likelihood.js';

const RESTART_ITERATIONS = 30;

export interface FitResult {
  theta: Float64Array;
  /** The negative log posterior at theta. */
  value: number;
  evaluations: number;
}

export interface FitOptions {
  maxIterations?: number;
  /** Raises the lower bound of every lengthscale (a belief that the function varies slowly). */
  minLengthscale?: number;
  /** Lowers the upper bound of the output scale. */
  maxOutputscale?: number;
}

export function fitHyperparameters(
  data: GpData,
  starts: readonly ArrayLike<number>[],
  options: FitOptions = {},
): FitResult {
  const { lower, upper } = bounds(data.dim);
  if (options.minLengthscale !== undefined)
    for (let d = 0; d < data.dim; d++) lower[d] = Math.max(lower[d]!, Math.log(options.minLengthscale));
  if (options.maxOutputscale !== undefined)
    upper[data.dim] = Math.min(upper[data.dim]!, Math.log(options.maxOutputscale));
  const f = (theta: Float64Array): { value: number; gradient: Float64Array } =>
    negativeLogPosterior(data, theta);
  let best: FitResult | undefined;
  let evaluations = 0;
  const maxIterations = options.maxIterations ?? 100;
  for (const [i, start] of (starts.length > 0 ? starts : [priorMode(data.dim)]).entries()) {
    // The first start (a warm start when there is one) runs to convergence; the others are shorter probes for a
    // better basin, which is where restarts earn their keep.
    const r = minimizeBounded(f, start, lower, upper, {
      maxIterations: i === 0 ? maxIterations : Math.min(maxIterations, RESTART_ITERATIONS),
      gradientTolerance: 1e-5,
      relativeTolerance: 1e-8,
    });
    evaluations += r.evaluations;
    if (Number.isFinite(r.value) && (!best || r.value < best.value))
      best = { theta: r.x, value: r.value, evaluations: 0 };
  }
  const theta = best?.theta ?? Float64Array.from(priorMode(data.dim));
  return { theta, value: best?.value ?? Infinity, evaluations };
}
