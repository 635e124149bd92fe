/**
 * The contract every built-in strategy keeps: valid suggestions, the rebuild rule, batches equal to one-at-a-time
 * asks with the earlier ones pending, no crash on failures, and no suggestion that violates a constraint.
 */
import fc from 'fast-check';
import { BUILT_IN_STRATEGIES } from './built-in-strategies.js';
import { compileConstraint } from './constraints.js';
import type {
  Constraint,
  Observation,
  SearchSpace,
  Strategy,
  StrategyInit,
  Suggestion,
} from './strategy.port.js';

const space: SearchSpace = {
  t: { type: 'float', min: 20, max: 80 },
  s: { type: 'float', min: 0.5, max: 50, log: true },
  n: { type: 'int', min: 1, max: 5 },
  c: { type: 'categorical', choices: ['A', 'B', 'C'] },
};

/** Small, fast settings: the contract, not the quality, is under test here. */
const OPTIONS: Record<string, Record<string, unknown>> = {
  bayes: { initial: 3, rawSamples: 64, restarts: 2 },
  lhs: { samples: 4 },
  grid: { levels: 3 },
};

const init = (name: string, seed: number, constraints: Constraint[] = []): StrategyInit => ({
  space,
  objectives: { y: { goal: 'maximize' } },
  constraints,
  seed,
  options: OPTIONS[name] ?? {},
});

function objective(p: Suggestion['params']): number {
  const t = p['t'] as number;
  return (
    -((t - 60) ** 2) / 100 + Math.log(p['s'] as number) + (p['c'] === 'B' ? 1 : 0) - (p['n'] as number) * 0.1
  );
}

function observe(s: Suggestion, i: number): Observation {
  if (i % 5 === 3) return { suggestionId: s.id, params: s.params, failed: { reason: 'clogged' } };
  if (i % 7 === 5) return { suggestionId: s.id, params: s.params }; // interrupted
  return { suggestionId: s.id, params: s.params, values: { y: { mean: objective(s.params) } } };
}

/** Runs ask/tell one at a time for `rounds` suggestions and returns the history. */
async function run(strategy: Strategy, rounds: number): Promise<Observation[]> {
  const history: Observation[] = [];
  for (let i = 0; i < rounds; i++) {
    const [s] = await strategy.ask(1, []);
    const o = observe(s!, i);
    history.push(o);
    await strategy.tell([o]);
  }
  return history;
}

function expectInSpace(s: Suggestion): void {
  const { t, s: sub, n, c } = s.params;
  expect(t).toBeGreaterThanOrEqual(20);
  expect(t).toBeLessThanOrEqual(80);
  expect(sub).toBeGreaterThanOrEqual(0.5);
  expect(sub).toBeLessThanOrEqual(50);
  expect(Number.isInteger(n)).toBe(true);
  expect(['A', 'B', 'C']).toContain(c);
  expect(Object.keys(s.params).sort()).toEqual(['c', 'n', 's', 't']);
}

describe.each(Object.keys(BUILT_IN_STRATEGIES))('built-in strategy %s', (name) => {
  const make = (seed: number, constraints: Constraint[] = []): Strategy =>
    BUILT_IN_STRATEGIES[name]!(init(name, seed, constraints));

  it('proposes typed points inside the space, with distinct ids', async () => {
    const s = make(1);
    await run(s, 8);
    const batch = await s.ask(3, []);
    expect(batch).toHaveLength(3);
    batch.forEach(expectInSpace);
    expect(new Set(batch.map((b) => b.id)).size).toBe(3);
  });

  it('proposes after a rebuild exactly what it would have proposed anyway', async () => {
    const original = make(42);
    const history = await run(original, 9);
    const pending = await original.ask(2, []);
    const next = await original.ask(2, pending);

    const rebuilt = make(42);
    await rebuilt.tell([...history].reverse()); // the store's order need not be the order results arrived in
    expect(await rebuilt.ask(2, pending)).toEqual(next);
  });

  it('makes a batch equal to single asks with the earlier ones pending', async () => {
    const a = make(7);
    const b = make(7);
    const history = await run(a, 8);
    await b.tell(history);
    const batch = await a.ask(2, []);
    const first = await b.ask(1, []);
    const second = await b.ask(1, first);
    expect(batch).toEqual([...first, ...second]);
  });

  it('keeps going when every experiment fails', async () => {
    const s = make(3);
    for (let i = 0; i < 8; i++) {
      const [x] = await s.ask(1, []);
      expectInSpace(x!);
      await s.tell([{ suggestionId: x!.id, params: x!.params, failed: { reason: 'instrument fault' } }]);
    }
  });

  it('never proposes a point that violates a constraint', async () => {
    const linear = fc.record({
      a: fc.integer({ min: -3, max: 3 }),
      b: fc.integer({ min: -3, max: 3 }),
      pair: fc.constantFrom<[string, string]>(['t', 's'], ['t', 'n'], ['s', 'n'], ['n', 't']),
      frac: fc.double({ min: 0.2, max: 0.9, noNaN: true }),
    });
    await fc.assert(
      fc.asyncProperty(linear, fc.boolean(), async ({ a, b, pair: [which, other], frac }, general) => {
        // a·x + b·y <= a bound that keeps part of the box feasible (frac of the way between its min and max).
        const range = (p: string): [number, number] => {
          const d = space[p] as { min: number; max: number };
          return [d.min, d.max];
        };
        const [x0, x1] = range(which);
        const [y0, y1] = range(other);
        const lo = Math.min(a * x0, a * x1) + Math.min(b * y0, b * y1);
        const hi = Math.max(a * x0, a * x1) + Math.max(b * y0, b * y1);
        const exprs = [`${a} * ${which} + ${b} * ${other} <= ${lo + frac * (hi - lo)}`];
        if (general) exprs.push('t * s <= 1500 or c == "A"');
        const constraints = exprs.map((e) => {
          const r = compileConstraint(e, Object.keys(space));
          if (!r.ok) throw new Error(r.message);
          return r.constraint;
        });
        const s = make(5, constraints);
        const seen: Suggestion[] = [];
        for (let i = 0; i < 6; i++) {
          const batch = await s.ask(name === 'bayes' ? 1 : 2, seen.slice(-1));
          for (const x of batch) {
            for (const c of constraints) expect(c.holds(x.params)).toBe(true);
            seen.push(x);
            await s.tell([observe(x, i)]);
          }
        }
      }),
      { numRuns: name === 'bayes' ? 12 : 40, seed: 20261127 },
    );
  });
});
