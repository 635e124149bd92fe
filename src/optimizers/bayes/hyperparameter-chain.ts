/**
 * When the GP's hyperparameters are refitted, and from where — chosen so that the result depends only on the data,
 * never on the order in which results arrived or on whether the strategy was rebuilt.
 *
 * Fits happen at checkpoints of the number of observations n: every n up to 100, then every 10 % (so at large n the
 * model is refitted less often, and between checkpoints reuses the last fit). The fit at checkpoint c uses the first
 * c observations in canonical (id) order — at most `maxFitPoints` of them: the best half and an even spread of the
 * rest — and starts from the fit at the checkpoint of half as many observations (its warm start), from the prior
 * mode, from a smooth-and-noisy guess, and early on from a draw from the priors. Fits are cached by the ids they used. Warm-starting from half the
 * data rather than from the previous checkpoint keeps the chain log₂ n deep: a strategy rebuilt with 1000
 * observations refits about ten times, not a hundred and fifty.
 */
import { deriveSeed, SeededRandom } from '../../common/seeded-random.js';
import { fitHyperparameters } from '../gp/gp-fit.js';
import { noisyStart, priorMode, priorSample } from '../gp/gp-hyperparameters.js';
import type { GpData } from '../gp/gp-likelihood.js';

const EVERY_STEP_UNTIL = 100;
const GROWTH = 1.1;
const RANDOM_RESTARTS_UNTIL = 30;

/** The checkpoints ≤ n, ascending, from the smallest data set worth fitting (2 points). */
export function checkpoints(n: number): number[] {
  const out: number[] = [];
  for (let c = 2; c <= n; c = c < EVERY_STEP_UNTIL ? c + 1 : Math.max(c + 1, Math.round(c * GROWTH)))
    out.push(c);
  return out;
}

export interface ChainInput {
  /** Ids of the observations in canonical order. */
  ids: readonly string[];
  /** GP data for the rows `index` of the observations (targets standardized over those rows). */
  data(index: readonly number[]): GpData;
  /** Targets, to pick the best rows of a large prefix. */
  targets: readonly number[];
}

export class HyperparameterChain {
  private readonly cache = new Map<number, { key: string; theta: Float64Array }>();

  constructor(
    private readonly seed: number,
    private readonly maxFitPoints: number,
  ) {}

  /** The hyperparameters for the current observations. */
  thetaFor(input: ChainInput, dim: number): Float64Array {
    const cs = checkpoints(input.ids.length);
    if (cs.length === 0) return priorMode(dim);
    return this.at(cs.length - 1, cs, prefixKeys(input.ids, cs), input, dim);
  }

  /** The fit at checkpoint cs[j], from the cache or fitted now from its parent's (recursively). */
  private at(j: number, cs: number[], keys: string[], input: ChainInput, dim: number): Float64Array {
    const c = cs[j]!;
    const cached = this.cache.get(c);
    if (cached && cached.key === keys[j]) return cached.theta;
    const parent = parentIndex(cs, j);
    const warm = parent === undefined ? undefined : this.at(parent, cs, keys, input, dim);
    const theta = this.fit(input, c, dim, warm);
    this.cache.set(c, { key: keys[j]!, theta });
    return theta;
  }

  private fit(input: ChainInput, c: number, dim: number, warm: Float64Array | undefined): Float64Array {
    const index = fitRows(input.targets, c, this.maxFitPoints);
    const starts: ArrayLike<number>[] = [];
    if (warm) starts.push(warm);
    starts.push(priorMode(dim));
    // Past 100 observations the likelihood leaves little room for a different explanation of the noise.
    if (c <= EVERY_STEP_UNTIL) starts.push(noisyStart(dim));
    if (c <= RANDOM_RESTARTS_UNTIL) {
      const rng = new SeededRandom(deriveSeed(this.seed, 'gp-restart', c));
      starts.push(priorSample(dim, () => rng.normal()));
    }
    return fitHyperparameters(input.data(index), starts).theta;
  }
}

/** The checkpoint whose fit warm-starts checkpoint cs[j]: the largest one at most half of it. */
function parentIndex(cs: readonly number[], j: number): number | undefined {
  const half = Math.floor(cs[j]! / 2);
  for (let i = j - 1; i >= 0; i--) if (cs[i]! <= half) return i;
  return undefined;
}

/** Rows used to fit at checkpoint c: all of the first c, or the best half and an even spread of the others. */
export function fitRows(targets: readonly number[], c: number, max: number): number[] {
  const all = Array.from({ length: c }, (_, i) => i);
  if (c <= max) return all;
  const byValue = [...all].sort((a, b) => targets[b]! - targets[a]! || a - b);
  const best = new Set(byValue.slice(0, Math.floor(max / 2)));
  const rest = all.filter((i) => !best.has(i));
  const need = max - best.size;
  const spread = Array.from({ length: need }, (_, j) => rest[Math.floor((j * rest.length) / need)]!);
  return [...best, ...spread].sort((a, b) => a - b);
}

/** A hash of the first c ids for each checkpoint c. */
function prefixKeys(ids: readonly string[], cs: readonly number[]): string[] {
  const out: string[] = [];
  let h = 0x811c9dc5;
  let j = 0;
  for (let i = 0; i < ids.length && j < cs.length; i++) {
    const id = ids[i]!;
    for (let k = 0; k < id.length; k++) h = Math.imul(h ^ id.charCodeAt(k), 0x01000193);
    h = Math.imul(h ^ 0x2c, 0x01000193);
    if (i + 1 === cs[j]) out[j++] = `${i + 1}:${(h >>> 0).toString(16)}`;
  }
  return out;
}
