/**
 * Finds the strategy a campaign names and builds it: a built-in by `name`, a JavaScript `module` (file or npm
 * package) exporting a StrategyFactory, or an `external` HTTP service. Whatever it is, it comes back wrapped in a
 * GuardedStrategy, so its faults reach the campaign loop as STRATEGY_FAILED errors and its suggestions are checked
 * against the space and the constraints before anyone sees them.
 */
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { parseDuration } from '../common/durations.js';
import { describeError, isLabError, LabError } from '../common/lab-error.js';
import { didYouMean } from '../common/suggest.js';
import { BUILT_IN_STRATEGIES } from './built-in-strategies.js';
import { ExternalStrategy } from './external-strategy.client.js';
import { GuardedStrategy } from './guarded-strategy.js';
import { loadStrategyFactory } from './module-strategy.loader.js';
import type { Strategy, StrategyFactory, StrategyInit } from './strategy.port.js';

export { BUILT_IN_STRATEGIES };

/** The `strategy:` block of a campaign, less seed and options (which travel in StrategyInit). */
export interface StrategyRef {
  name?: string;
  module?: string;
  export?: string;
  external?: { url: string; timeout?: number | string; retries?: number };
}

export interface StrategyContext {
  /** Folder that relative module paths start from: the campaign file's. */
  baseDir: string;
}

const DEFAULT_TIMEOUT_MS = 60_000;

@Injectable()
export class StrategyRegistry {
  constructor(@Inject(CLOCK) private readonly clock: Clock) {}

  async create(ref: StrategyRef, init: StrategyInit, context: StrategyContext): Promise<Strategy> {
    const label = labelOf(ref);
    try {
      const strategy = await this.build(ref, init, context);
      if (typeof strategy?.ask !== 'function' || typeof strategy.tell !== 'function')
        throw new LabError(
          'STRATEGY_FAILED',
          `strategy ${label}: the factory returned no object with ask() and tell()`,
        );
      return new GuardedStrategy(strategy, label, init.space, init.constraints);
    } catch (e) {
      if (isLabError(e) && (e.code === 'STRATEGY_FAILED' || e.code === 'NOT_FOUND')) throw e;
      throw new LabError('STRATEGY_FAILED', `strategy ${label} could not be created: ${describeError(e)}`);
    }
  }

  names(): string[] {
    return Object.keys(BUILT_IN_STRATEGIES);
  }

  private async build(ref: StrategyRef, init: StrategyInit, context: StrategyContext): Promise<Strategy> {
    if (ref.external) {
      const timeoutMs =
        ref.external.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(ref.external.timeout);
      if (timeoutMs === undefined)
        throw new LabError(
          'STRATEGY_FAILED',
          `external strategy: bad timeout ${String(ref.external.timeout)}`,
        );
      return new ExternalStrategy(
        init,
        { url: ref.external.url, timeoutMs, retries: ref.external.retries ?? 2 },
        this.clock,
      );
    }
    const factory: StrategyFactory = ref.module
      ? await loadStrategyFactory(ref.module, context.baseDir, ref.export)
      : this.builtIn(ref.name ?? 'random');
    // A plug-in factory may be async although the port says otherwise: accept both.
    return await Promise.resolve(factory(init));
  }

  private builtIn(name: string): StrategyFactory {
    const factory = BUILT_IN_STRATEGIES[name];
    if (!factory)
      throw new LabError(
        'NOT_FOUND',
        `no strategy "${name}"${didYouMean(name, Object.keys(BUILT_IN_STRATEGIES))}; built-in: ${Object.keys(BUILT_IN_STRATEGIES).join(', ')}`,
        'strategy.name',
      );
    return factory;
  }
}

export function labelOf(ref: StrategyRef): string {
  if (ref.external) return `external ${ref.external.url}`;
  if (ref.module) return `module ${ref.module}${ref.export ? `#${ref.export}` : ''}`;
  return ref.name ?? 'random';
}
