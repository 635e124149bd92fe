/** Finds the strategy a campaign names and builds it. Built-ins by name; plug-ins arrive with their own issue. */
import { Injectable } from '@nestjs/common';
import { LabError } from '../common/lab-error.js';
import { didYouMean } from '../common/suggest.js';
import { randomStrategy } from './random.strategy.js';
import type { Strategy, StrategyFactory, StrategyInit } from './strategy.port.js';

export const BUILT_IN_STRATEGIES: Readonly<Record<string, StrategyFactory>> = {
  random: randomStrategy,
};

@Injectable()
export class StrategyRegistry {
  create(name: string, init: StrategyInit): Strategy {
    const factory = BUILT_IN_STRATEGIES[name];
    if (!factory) {
      throw new LabError(
        'NOT_FOUND',
        `no strategy "${name}"${didYouMean(name, Object.keys(BUILT_IN_STRATEGIES))}`,
        'strategy.name',
      );
    }
    return factory(init);
  }

  names(): string[] {
    return Object.keys(BUILT_IN_STRATEGIES);
  }
}
