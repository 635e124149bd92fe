/** What bayes does beyond the common contract (built-in-strategies.spec.ts): it learns, and it learns from failures. */
import { compileConstraint } from '../constraints.js';
import type { Observation, SearchSpace, StrategyInit, Suggestion } from '../strategy.port.js';
import { bayesStrategy } from './bayes.strategy.js';

const square: SearchSpace = { x: { type: 'float', min: 0, max: 1 }, y: { type: 'float', min: 0, max: 1 } };
const init = (o: Partial<StrategyInit> = {}): StrategyInit => ({
  space: square,
  objectives: { f: { goal: 'maximize' } },
  constraints: [],
  seed: 1,
  options: { rawSamples: 256, restarts: 4 },
  ...o,
});
const num = (s: Suggestion, k: string): number => s.params[k] as number;

async function loop(
  i: StrategyInit,
  rounds: number,
  evaluate: (s: Suggestion) => Observation,
): Promise<Observation[]> {
  const s = bayesStrategy(i);
  const history: Observation[] = [];
  for (let r = 0; r < rounds; r++) {
    const [x] = await s.ask(1, []);
    const o = evaluate(x!);
    history.push(o);
    await s.tell([o]);
  }
  return history;
}

describe('bayes', () => {
  it('finds the peak of a smooth function within 20 evaluations', async () => {
    const f = (x: number, y: number): number => -((x - 0.73) ** 2) - 2 * (y - 0.21) ** 2;
    const history = await loop(init(), 20, (s) => ({
      suggestionId: s.id,
      params: s.params,
      values: { f: { mean: f(num(s, 'x'), num(s, 'y')) } },
    }));
    const best = Math.max(...history.map((h) => h.values!['f']!.mean));
    expect(best).toBeGreaterThan(-1e-3);
  });

  it('minimizes when the objective says so', async () => {
    const history = await loop(init({ objectives: { f: { goal: 'minimize' } } }), 15, (s) => ({
      suggestionId: s.id,
      params: s.params,
      values: { f: { mean: (num(s, 'x') - 0.2) ** 2 + (num(s, 'y') - 0.6) ** 2 } },
    }));
    expect(Math.min(...history.map((h) => h.values!['f']!.mean))).toBeLessThan(5e-3);
  });

  it('learns to avoid the region where experiments fail', async () => {
    // Everything with x > 0.5 fails (a clogged reactor); the objective alone would pull towards x = 1.
    const history = await loop(init({ options: { initial: 6, rawSamples: 256, restarts: 4 } }), 24, (s) =>
      num(s, 'x') > 0.5
        ? { suggestionId: s.id, params: s.params, failed: { reason: 'clogged' } }
        : { suggestionId: s.id, params: s.params, values: { f: { mean: num(s, 'x') + 0.1 * num(s, 'y') } } },
    );
    const late = history.slice(12);
    expect(late.filter((h) => h.failed).length).toBeLessThanOrEqual(3);
    const best = Math.max(...history.map((h) => h.values?.['f']?.mean ?? -Infinity));
    expect(best).toBeGreaterThan(0.5);
  });

  it('spreads a batch out instead of proposing one spot several times', async () => {
    const s = bayesStrategy(init());
    const seen: Observation[] = [];
    for (const x of await s.ask(6, [])) {
      seen.push({
        suggestionId: x.id,
        params: x.params,
        values: { f: { mean: -((num(x, 'x') - 0.5) ** 2) } },
      });
    }
    await s.tell(seen);
    const batch = await s.ask(4, []);
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < i; j++) {
        const d = Math.hypot(
          num(batch[i]!, 'x') - num(batch[j]!, 'x'),
          num(batch[i]!, 'y') - num(batch[j]!, 'y'),
        );
        expect(d).toBeGreaterThan(0.01);
      }
  });

  it('uses standard errors and several objectives (ParEGO) without trouble', async () => {
    const history = await loop(
      init({ objectives: { a: { goal: 'maximize' }, b: { goal: 'minimize' } }, options: { initial: 4 } }),
      14,
      (s) => ({
        suggestionId: s.id,
        params: s.params,
        values: {
          a: { mean: num(s, 'x'), sem: 0.01 },
          b: { mean: num(s, 'x') ** 2 + num(s, 'y'), sem: 0.02 },
        },
      }),
    );
    // Trade-off a = x against b = x² + y: good points have y near 0 and x anywhere.
    const late = history.slice(4).map((h) => h.params['y'] as number);
    expect(late.filter((y) => y < 0.3).length).toBeGreaterThanOrEqual(6);
  });

  it('keeps a mixture exact: a + b + c == 100 to the last digit, with bounds on every part', async () => {
    const space: SearchSpace = {
      a: { type: 'float', min: 0, max: 100 },
      b: { type: 'float', min: 10, max: 60 },
      c: { type: 'float', min: 0, max: 50 },
    };
    const r = compileConstraint('a + b + c == 100', Object.keys(space));
    if (!r.ok) throw new Error(r.message);
    const history = await loop(
      init({ space, constraints: [r.constraint], options: { initial: 4 } }),
      10,
      (s) => ({
        suggestionId: s.id,
        params: s.params,
        values: { f: { mean: -(((s.params['c'] as number) - 40) ** 2) } },
      }),
    );
    for (const h of history) {
      const { a, b, c } = h.params as { a: number; b: number; c: number };
      expect(Math.abs(a + b + c - 100)).toBeLessThanOrEqual(1e-9);
      expect(b).toBeGreaterThanOrEqual(10);
      expect(c).toBeLessThanOrEqual(50);
    }
  });

  it('refuses unknown or ill-typed options by name', () => {
    expect(() => bayesStrategy(init({ options: { inital: 5 } }))).toThrow(
      /bayes: strategy\.options: .*inital/,
    );
    expect(() => bayesStrategy(init({ options: { acquisition: 'pi' } }))).toThrow(
      /bayes: strategy\.options\.acquisition/,
    );
  });
});
