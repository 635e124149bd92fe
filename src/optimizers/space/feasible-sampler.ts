/**
 * Feasible points of a constrained space. Rejection first (cheap and exact in distribution); when constraints leave
 * so little of the space that rejection keeps missing, hit-and-run inside the feasible region from an anchor point,
 * found once by walking down the constraints' violation. Deterministic for a given random source, so strategies can
 * derive every draw from (seed, k).
 */
import { LabError } from '../../common/lab-error.js';
import { deriveSeed, SeededRandom } from '../../common/seeded-random.js';
import type { Params, SpaceModel } from './space-model.js';

const REJECTION_TRIES = 256;
const HIT_AND_RUN_STEPS = 12;
const SHRINK_TRIES = 40;

export class FeasibleSampler {
  private anchor: Float64Array | undefined | null = null;

  constructor(
    private readonly model: SpaceModel,
    /** Seeds the anchor search, which must not depend on which draw needed it first. */
    private readonly seed: number,
  ) {}

  /** A feasible point drawn with `rng`: uniform over the feasible region when rejection succeeds. */
  sample(rng: SeededRandom): Params {
    const u = this.sampleUnit(rng);
    return this.model.fromUnit(u);
  }

  sampleUnit(rng: SeededRandom): Float64Array {
    const dims = this.model.unitDims;
    for (let t = 0; t < REJECTION_TRIES; t++) {
      const u = Float64Array.from({ length: dims }, () => rng.next());
      if (this.model.isFeasible(this.model.fromUnit(u))) return u;
    }
    return this.walk(this.requireAnchor(), rng, HIT_AND_RUN_STEPS);
  }

  /** A feasible unit point: the given one when feasible, else one from a hit-and-run walk. */
  feasibleOr(u: Float64Array, rng: SeededRandom): Float64Array {
    return this.model.isFeasible(this.model.fromUnit(u)) ? u : this.sampleUnit(rng);
  }

  /** Hit-and-run with shrinkage: each step moves along a random line to a random feasible point of it. */
  walk(start: Float64Array, rng: SeededRandom, steps: number): Float64Array {
    let u = Float64Array.from(start);
    for (let s = 0; s < steps; s++) {
      const d = Float64Array.from(u, () => rng.normal());
      const norm = Math.hypot(...d) || 1;
      for (let i = 0; i < d.length; i++) d[i] = d[i]! / norm;
      let [lo, hi] = segment(u, d);
      for (let t = 0; t < SHRINK_TRIES; t++) {
        const step = lo + (hi - lo) * rng.next();
        const next = Float64Array.from(u, (v, i) => Math.min(1, Math.max(0, v + step * d[i]!)));
        if (this.model.isFeasible(this.model.fromUnit(next))) {
          u = next;
          break;
        }
        if (step > 0) hi = step;
        else lo = step;
      }
    }
    return u;
  }

  private requireAnchor(): Float64Array {
    if (this.anchor === null) this.anchor = this.findAnchor();
    if (!this.anchor) {
      const what = this.model.constraints.map((c) => c.expr).join('; ');
      throw new LabError(
        'STRATEGY_FAILED',
        `no point of the search space satisfies the constraints: ${what}`,
        'constraints',
      );
    }
    return this.anchor;
  }

  /** Random restarts of a compass search on the violation; undefined when nothing feasible is found. */
  private findAnchor(): Float64Array | undefined {
    const rng = new SeededRandom(deriveSeed(this.seed, 'anchor'));
    const dims = this.model.unitDims;
    const score = (u: Float64Array): number => this.model.violation(this.model.fromUnit(u));
    for (let restart = 0; restart < 20; restart++) {
      let best = Float64Array.from({ length: dims }, () => rng.next());
      for (let i = 0; i < 200; i++) {
        const u = Float64Array.from({ length: dims }, () => rng.next());
        if (score(u) < score(best)) best = u;
      }
      let value = score(best);
      for (let step = 0.25; step > 1e-10 && value > 0;) {
        let improved = false;
        for (let i = 0; i < dims && value > 0; i++) {
          for (const sign of [1, -1]) {
            const u = Float64Array.from(best);
            u[i] = Math.min(1, Math.max(0, u[i]! + sign * step));
            const v = score(u);
            if (v < value) [best, value, improved] = [u, v, true];
          }
        }
        if (!improved) step /= 2;
      }
      if (value === 0) return best;
    }
    return undefined;
  }
}

/** The range of t for which u + t·d stays in the unit cube. */
function segment(u: Float64Array, d: Float64Array): [number, number] {
  let lo = -Infinity;
  let hi = Infinity;
  for (let i = 0; i < u.length; i++) {
    if (Math.abs(d[i]!) < 1e-15) continue;
    const a = (0 - u[i]!) / d[i]!;
    const b = (1 - u[i]!) / d[i]!;
    lo = Math.max(lo, Math.min(a, b));
    hi = Math.min(hi, Math.max(a, b));
  }
  return [Number.isFinite(lo) ? lo : 0, Number.isFinite(hi) ? hi : 0];
}
