/**
 * A scrambled Sobol' design over the feasible region: point k is the k-th feasible point of the sequence scrambled
 * with the seed, so points fill the space evenly however many there will be, and a rebuilt strategy continues the
 * sequence. Where constraints reject nearly every point, later ones come from the feasible sampler instead (seeded
 * by (seed, k) as well).
 */
import { deriveSeed, SeededRandom } from '../../common/seeded-random.js';
import { SobolSequence } from '../numerics/sobol.js';
import { FeasibleSampler } from './feasible-sampler.js';
import type { Params, SpaceModel } from './space-model.js';

/** Points scanned per feasible point before giving up on the sequence. */
const MAX_SCAN_PER_POINT = 1000;

export class QuasiRandomDesign {
  private readonly sequence: SobolSequence;
  private readonly sampler: FeasibleSampler;
  /** Sequence indices of the feasible points found so far. */
  private readonly feasible: number[] = [];
  private scanned = 0;

  constructor(
    private readonly model: SpaceModel,
    private readonly seed: number,
  ) {
    this.sequence = new SobolSequence(Math.max(1, model.unitDims), deriveSeed(seed, 'sobol'));
    this.sampler = new FeasibleSampler(model, seed);
  }

  /** The k-th point of the design (0-based). */
  point(k: number): Params {
    const limit = (k + 1) * MAX_SCAN_PER_POINT;
    while (this.feasible.length <= k && this.scanned < limit) {
      const i = this.scanned++;
      if (this.model.isFeasible(this.model.fromUnit(this.sequence.point(i)))) this.feasible.push(i);
    }
    const index = this.feasible[k];
    if (index !== undefined) return this.model.fromUnit(this.sequence.point(index));
    return this.sampler.sample(new SeededRandom(deriveSeed(this.seed, 'sobol-fallback', k)));
  }
}
