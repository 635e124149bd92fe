import { compileConstraint } from './constraints.js';
import { axisValues, gridStrategy } from './grid.strategy.js';
import { lhsStrategy } from './lhs.strategy.js';
import type { SearchSpace, StrategyInit } from './strategy.port.js';

const space: SearchSpace = {
  t: { type: 'float', min: 20, max: 80 },
  n: { type: 'int', min: 1, max: 3 },
  c: { type: 'categorical', choices: ['A', 'B'] },
};
const init = (
  options: Record<string, unknown>,
  constraints: StrategyInit['constraints'] = [],
): StrategyInit => ({
  space,
  objectives: { y: { goal: 'maximize' } },
  constraints,
  seed: 2,
  options,
});

describe('grid', () => {
  it('spaces levels evenly (log-spaced on log scales) and takes every integer when there are few', () => {
    expect(axisValues({ type: 'float', min: 0, max: 1 }, 5)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(axisValues({ type: 'float', min: 1, max: 100, log: true }, 3)).toEqual([
      1,
      expect.closeTo(10, 12),
      100,
    ]);
    expect(axisValues({ type: 'int', min: 1, max: 3 }, 5)).toEqual([1, 2, 3]);
    expect(axisValues({ type: 'int', min: 0, max: 100 }, 3)).toEqual([0, 50, 100]);
  });

  it('visits every point once, skips those that violate a constraint, then proposes nothing', async () => {
    const r = compileConstraint('t * n <= 120', Object.keys(space));
    if (!r.ok) throw new Error(r.message);
    const s = gridStrategy(init({ levels: { t: 4 } }, [r.constraint]));
    const all = await s.ask(100, []);
    // t ∈ {20, 40, 60, 80} × n ∈ {1, 2, 3} × c ∈ {A, B}, less t·n > 120: (60,3), (80,2), (80,3).
    expect(all).toHaveLength((12 - 3) * 2);
    expect(new Set(all.map((a) => JSON.stringify(a.params))).size).toBe(all.length);
    await s.tell(all.map((a) => ({ suggestionId: a.id, params: a.params, values: { y: { mean: 0 } } })));
    expect(await s.ask(1, [])).toEqual([]);
  });

  it('walks in order with order: sequential, the first parameter slowest', async () => {
    const s = gridStrategy(init({ levels: 2, order: 'sequential' }));
    const first = (await s.ask(3, [])).map((a) => a.params);
    expect(first).toEqual([
      { t: 20, n: 1, c: 'A' },
      { t: 20, n: 1, c: 'B' },
      { t: 20, n: 3, c: 'A' },
    ]);
  });

  it('refuses bad options with the option named', () => {
    expect(() => gridStrategy(init({ levels: 0 }))).toThrow(/grid: levels for t must be a positive integer/);
    expect(() => gridStrategy(init({ order: 'random' }))).toThrow(
      /options.order must be shuffled or sequential/,
    );
  });
});

describe('lhs', () => {
  it('puts exactly one point of each block in every stratum of every parameter', async () => {
    const square: SearchSpace = {
      a: { type: 'float', min: 0, max: 1 },
      b: { type: 'float', min: 0, max: 10 },
    };
    const s = lhsStrategy({ ...init({ samples: 8 }), space: square });
    const block = await s.ask(8, []);
    for (const [name, width] of [
      ['a', 1 / 8],
      ['b', 10 / 8],
    ] as const) {
      const strata = block.map((p) => Math.floor((p.params[name] as number) / width));
      expect(new Set(strata).size).toBe(8);
    }
  });
});
