import { randomStrategy } from './random.strategy.js';
import type { SearchSpace, StrategyInit } from './strategy.port.js';

const space: SearchSpace = {
  t: { type: 'float', min: 25, max: 65 },
  n: { type: 'int', min: 1, max: 8 },
  s: { type: 'float', min: 0.5, max: 40, log: true },
  c: { type: 'categorical', choices: ['A', 'B', 'C'] },
};
const init = (seed: number): StrategyInit => ({
  space,
  objectives: { y: { goal: 'maximize' } },
  constraints: [],
  seed,
  options: {},
});

describe('random strategy', () => {
  it('stays inside the search space with the right types', async () => {
    const s = randomStrategy(init(1));
    for (const sug of await s.ask(500, [])) {
      const { t, n, s: sub, c } = sug.params;
      expect(t).toBeGreaterThanOrEqual(25);
      expect(t).toBeLessThanOrEqual(65);
      expect(Number.isInteger(n)).toBe(true);
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(8);
      expect(sub).toBeGreaterThanOrEqual(0.5);
      expect(sub).toBeLessThanOrEqual(40);
      expect(['A', 'B', 'C']).toContain(c);
    }
  });

  it('samples a log-scale parameter log-uniformly', async () => {
    const values = (await randomStrategy(init(3)).ask(4000, [])).map((x) => x.params['s'] as number);
    const below = values.filter((v) => v < Math.sqrt(0.5 * 40)).length / values.length;
    expect(below).toBeGreaterThan(0.45);
    expect(below).toBeLessThan(0.55);
  });

  it('proposes after a rebuild exactly what it would have proposed anyway', async () => {
    const original = randomStrategy(init(42));
    const first = await original.ask(3, []);
    await original.tell(
      first.map((f) => ({ suggestionId: f.id, params: f.params, values: { y: { mean: 1 } } })),
    );
    const pendingOne = await original.ask(1, []);
    const next = await original.ask(2, pendingOne);

    const rebuilt = randomStrategy(init(42));
    await rebuilt.tell(
      first.map((f) => ({ suggestionId: f.id, params: f.params, values: { y: { mean: 1 } } })),
    );
    expect(await rebuilt.ask(2, pendingOne)).toEqual(next);
  });

  it('differs with the seed', async () => {
    const a = await randomStrategy(init(1)).ask(1, []);
    const b = await randomStrategy(init(2)).ask(1, []);
    expect(a[0]?.params).not.toEqual(b[0]?.params);
  });
});
