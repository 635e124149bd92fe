/** Scrambled Sobol' sampling: suggestion k is point k of the seeded quasi-random design (space/quasi-random-design). */
import { QuasiRandomDesign } from './space/quasi-random-design.js';
import { SpaceModel } from './space/space-model.js';
import type { Observation, Strategy, StrategyFactory, StrategyInit, Suggestion } from './strategy.port.js';
import { SuggestionLedger, suggestionId } from './suggestion-ledger.js';

export class SobolStrategy implements Strategy {
  private readonly ledger = new SuggestionLedger();
  private readonly design: QuasiRandomDesign;

  constructor(init: StrategyInit) {
    this.design = new QuasiRandomDesign(new SpaceModel(init.space, init.constraints), init.seed);
  }

  async ask(count: number, pending: Suggestion[]): Promise<Suggestion[]> {
    const k0 = this.ledger.nextIndex(pending);
    return Array.from({ length: count }, (_, i) => ({
      id: suggestionId(k0 + i),
      params: this.design.point(k0 + i),
    }));
  }

  async tell(observations: Observation[]): Promise<void> {
    this.ledger.record(observations);
  }
}

export const sobolStrategy: StrategyFactory = (init) => new SobolStrategy(init);
