/**
 * Uniform random search (log-uniform for log-scale parameters) inside the constraints. The k-th suggestion — k
 * counting every suggestion told or pending — is drawn from a generator seeded by (seed, k), so a rebuilt strategy
 * proposes what the old one would have.
 */
import { deriveSeed, SeededRandom } from '../common/seeded-random.js';
import { FeasibleSampler } from './space/feasible-sampler.js';
import { SpaceModel } from './space/space-model.js';
import type { Observation, Strategy, StrategyFactory, StrategyInit, Suggestion } from './strategy.port.js';
import { SuggestionLedger, suggestionId } from './suggestion-ledger.js';

export class RandomStrategy implements Strategy {
  private readonly ledger = new SuggestionLedger();
  private readonly model: SpaceModel;
  private readonly sampler: FeasibleSampler;

  constructor(private readonly init: StrategyInit) {
    this.model = new SpaceModel(init.space, init.constraints);
    this.sampler = new FeasibleSampler(this.model, init.seed);
  }

  async ask(count: number, pending: Suggestion[]): Promise<Suggestion[]> {
    const k0 = this.ledger.nextIndex(pending);
    return Array.from({ length: count }, (_, i) => {
      const rng = new SeededRandom(deriveSeed(this.init.seed, 'random', k0 + i));
      return { id: suggestionId(k0 + i), params: this.sampler.sample(rng) };
    });
  }

  async tell(observations: Observation[]): Promise<void> {
    this.ledger.record(observations);
  }
}

export const randomStrategy: StrategyFactory = (init) => new RandomStrategy(init);
