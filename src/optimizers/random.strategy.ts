/**
 * Uniform random search (log-uniform for log-scale parameters). The k-th suggestion — k counting every suggestion
 * told or pending — is drawn from a generator seeded by (seed, k), so a rebuilt strategy proposes what the old one
 * would have.
 */
import { deriveSeed, SeededRandom } from '../common/seeded-random.js';
import type {
  Observation,
  ParamValue,
  SearchSpace,
  Strategy,
  StrategyFactory,
  Suggestion,
} from './strategy.port.js';

export function sampleParams(space: SearchSpace, rng: SeededRandom): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const [name, p] of Object.entries(space)) {
    if (p.type === 'categorical') {
      out[name] = rng.pick(p.choices);
    } else if (p.type === 'int') {
      const v = p.log
        ? Math.round(Math.exp(rng.uniform(Math.log(p.min), Math.log(p.max))))
        : rng.int(p.min, p.max);
      out[name] = Math.min(p.max, Math.max(p.min, v));
    } else {
      out[name] = p.log ? Math.exp(rng.uniform(Math.log(p.min), Math.log(p.max))) : rng.uniform(p.min, p.max);
    }
  }
  return out;
}

export class RandomStrategy implements Strategy {
  private readonly told = new Set<string>();

  constructor(
    private readonly space: SearchSpace,
    private readonly seed: number,
  ) {}

  ask(count: number, pending: Suggestion[]): Promise<Suggestion[]> {
    const pendingIds = new Set(pending.map((p) => p.id));
    let k = this.told.size + [...pendingIds].filter((id) => !this.told.has(id)).length;
    const out: Suggestion[] = [];
    for (let i = 0; i < count; i++, k++) {
      const rng = new SeededRandom(deriveSeed(this.seed, 'random', k));
      out.push({ id: `s${k + 1}`, params: sampleParams(this.space, rng) });
    }
    return Promise.resolve(out);
  }

  tell(observations: Observation[]): Promise<void> {
    for (const o of observations) this.told.add(o.suggestionId);
    return Promise.resolve();
  }
}

export const randomStrategy: StrategyFactory = (init) => new RandomStrategy(init.space, init.seed);
