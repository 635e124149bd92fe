/** The strategies labloop ships, by the name a campaign gives in `strategy: { name: … }`. */
import { bayesStrategy } from './bayes/bayes.strategy.js';
import { gridStrategy } from './grid.strategy.js';
import { lhsStrategy } from './lhs.strategy.js';
import { randomStrategy } from './random.strategy.js';
import { sobolStrategy } from './sobol.strategy.js';
import type { StrategyFactory } from './strategy.port.js';

export const BUILT_IN_STRATEGIES: Readonly<Record<string, StrategyFactory>> = {
  random: randomStrategy,
  sobol: sobolStrategy,
  lhs: lhsStrategy,
  grid: gridStrategy,
  bayes: bayesStrategy,
};
