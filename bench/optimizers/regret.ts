/** One optimization run: ask one suggestion at a time, evaluate, tell; the best value after each evaluation. */
import { BUILT_IN_STRATEGIES } from '../../src/optimizers/built-in-strategies.js';
import type { Domain } from './domains.js';

export async function bestSoFar(
  strategy: string,
  domain: Domain,
  evaluations: number,
  seed: number,
  options: Record<string, unknown> = {},
): Promise<number[]> {
  const s = BUILT_IN_STRATEGIES[strategy]!({
    space: domain.space,
    objectives: { y: { goal: 'maximize' } },
    constraints: [],
    seed,
    options,
  });
  const curve: number[] = [];
  let best = -Infinity;
  for (let i = 0; i < evaluations; i++) {
    const [x] = await s.ask(1, []);
    const y = domain.evaluate(x!.params);
    best = Math.max(best, y);
    curve.push(best);
    await s.tell([{ suggestionId: x!.id, params: x!.params, values: { y: { mean: y } } }]);
  }
  return curve;
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function quantile(values: readonly number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}
