/**
 * Latin hypercube sampling in blocks of `options.samples` points (default 20): within a block every parameter's
 * range is cut into as many strata as points and each stratum is used once; of several random hypercubes the one
 * whose closest pair is farthest apart is kept (maximin). Block b is drawn from (seed, b), so suggestion k is fixed
 * by (seed, k). A point that violates a constraint is replaced by a feasible random one.
 */
import { LabError } from '../common/lab-error.js';
import { deriveSeed, SeededRandom } from '../common/seeded-random.js';
import { FeasibleSampler } from './space/feasible-sampler.js';
import { SpaceModel } from './space/space-model.js';
import type { Observation, Strategy, StrategyFactory, StrategyInit, Suggestion } from './strategy.port.js';
import { SuggestionLedger, suggestionId } from './suggestion-ledger.js';

const CANDIDATE_DESIGNS = 20;

export class LhsStrategy implements Strategy {
  private readonly ledger = new SuggestionLedger();
  private readonly model: SpaceModel;
  private readonly sampler: FeasibleSampler;
  private readonly samples: number;
  private readonly blocks = new Map<number, Float64Array[]>();

  constructor(private readonly init: StrategyInit) {
    this.model = new SpaceModel(init.space, init.constraints);
    this.sampler = new FeasibleSampler(this.model, init.seed);
    const samples = init.options['samples'] ?? 20;
    if (typeof samples !== 'number' || !Number.isInteger(samples) || samples < 1)
      throw new LabError(
        'STRATEGY_FAILED',
        `lhs: options.samples must be a positive integer, got ${JSON.stringify(samples)}`,
        'strategy.options.samples',
      );
    this.samples = samples;
  }

  async ask(count: number, pending: Suggestion[]): Promise<Suggestion[]> {
    const k0 = this.ledger.nextIndex(pending);
    return Array.from({ length: count }, (_, i) => ({
      id: suggestionId(k0 + i),
      params: this.point(k0 + i),
    }));
  }

  async tell(observations: Observation[]): Promise<void> {
    this.ledger.record(observations);
  }

  private point(k: number): Suggestion['params'] {
    const block = Math.floor(k / this.samples);
    let design = this.blocks.get(block);
    if (!design) {
      design = maximinHypercube(
        this.samples,
        this.model.unitDims,
        new SeededRandom(deriveSeed(this.init.seed, 'lhs', block)),
      );
      this.blocks.set(block, design);
    }
    const params = this.model.fromUnit(design[k % this.samples]!);
    if (this.model.isFeasible(params)) return params;
    return this.sampler.sample(new SeededRandom(deriveSeed(this.init.seed, 'lhs-fallback', k)));
  }
}

/** The best of several random Latin hypercubes by the smallest pairwise distance. */
export function maximinHypercube(n: number, dims: number, rng: SeededRandom): Float64Array[] {
  let best: Float64Array[] = [];
  let bestScore = -1;
  for (let c = 0; c < CANDIDATE_DESIGNS; c++) {
    const design = latinHypercube(n, dims, rng);
    const score = minDistance(design);
    if (score > bestScore) [best, bestScore] = [design, score];
  }
  return best;
}

function latinHypercube(n: number, dims: number, rng: SeededRandom): Float64Array[] {
  const points = Array.from({ length: n }, () => new Float64Array(dims));
  for (let d = 0; d < dims; d++) {
    const strata = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [strata[i], strata[j]] = [strata[j]!, strata[i]!];
    }
    for (let i = 0; i < n; i++) points[i]![d] = (strata[i]! + rng.next()) / n;
  }
  return points;
}

function minDistance(points: Float64Array[]): number {
  let min = Infinity;
  for (let i = 0; i < points.length; i++)
    for (let j = 0; j < i; j++) {
      let s = 0;
      for (let d = 0; d < points[i]!.length; d++) s += (points[i]![d]! - points[j]![d]!) ** 2;
      min = Math.min(min, s);
    }
  return min;
}

export const lhsStrategy: StrategyFactory = (init) => new LhsStrategy(init);
