import { LabError } from '../../common/lab-error.js';
import { SeededRandom } from '../../common/seeded-random.js';
import { compileConstraint } from '../constraints.js';
import type { Constraint, SearchSpace } from '../strategy.port.js';
import { FeasibleSampler } from './feasible-sampler.js';
import { SpaceModel } from './space-model.js';

const compile = (space: SearchSpace, ...exprs: string[]): Constraint[] =>
  exprs.map((e) => {
    const r = compileConstraint(e, Object.keys(space));
    if (!r.ok) throw new Error(r.message);
    return r.constraint;
  });

const mixed: SearchSpace = {
  t: { type: 'float', min: 20, max: 80 },
  s: { type: 'float', min: 0.1, max: 1000, log: true },
  n: { type: 'int', min: 1, max: 6 },
  c: { type: 'categorical', choices: ['A', 'B', 'C'] },
};

describe('space model', () => {
  it('encodes numbers to [0, 1] (log scale for log parameters) and categoricals one-hot', () => {
    const m = new SpaceModel(mixed, []);
    expect(m.encodedDims).toBe(6);
    expect(m.numericColumns).toEqual([0, 1, 2]);
    const z = m.encode({ t: 50, s: 10, n: 6, c: 'B' });
    expect(Array.from(z)).toEqual([0.5, expect.closeTo(0.5, 12), 1, 0, 1, 0]);
    expect(m.decode(z)).toEqual({ t: 50, s: expect.closeTo(10, 10), n: 6, c: 'B' });
  });

  it('rounds integers and picks the strongest choice when decoding a relaxed point', () => {
    const m = new SpaceModel(mixed, []);
    expect(m.decode([0, 0, 0.45, 0.2, 0.1, 0.7])).toEqual({
      t: 20,
      s: expect.closeTo(0.1, 12),
      n: 3,
      c: 'C',
    });
  });

  it('maps the unit cube uniformly onto integers and choices', () => {
    const m = new SpaceModel(mixed, []);
    const counts = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const p = m.fromUnit([0.5, 0.5, (i + 0.5) / 600, ((i * 7) % 600) / 600]);
      counts.set(`${p.n}`, (counts.get(`${p.n}`) ?? 0) + 1);
      expect(m.isFeasible(p)).toBe(true);
    }
    expect([...counts.values()]).toEqual([100, 100, 100, 100, 100, 100]);
  });

  it('solves linear equalities for a float parameter, so every point meets them exactly', () => {
    const space: SearchSpace = {
      a: { type: 'float', min: 0, max: 100 },
      b: { type: 'float', min: 0, max: 100 },
      c: { type: 'float', min: 0, max: 100 },
      d: { type: 'float', min: 0, max: 10 },
    };
    const m = new SpaceModel(space, compile(space, 'a + b + c == 100', 'd == 0.1 * a'));
    expect(m.dependents.map((d) => d.name).sort()).toEqual(['a', 'd']);
    expect(m.unitDims).toBe(2);
    const sampler = new FeasibleSampler(m, 1);
    const rng = new SeededRandom(3);
    for (let i = 0; i < 200; i++) {
      const p = sampler.sample(rng);
      expect(m.isFeasible(p)).toBe(true);
      expect(Math.abs((p.a as number) + (p.b as number) + (p.c as number) - 100)).toBeLessThan(1e-9);
    }
  });

  it('refuses contradictory equalities and equalities over integers only', () => {
    const space: SearchSpace = {
      a: { type: 'float', min: 0, max: 1 },
      n: { type: 'int', min: 0, max: 9 },
      k: { type: 'int', min: 0, max: 9 },
    };
    expect(() => new SpaceModel(space, compile(space, 'a == 0.5', 'a == 0.7'))).toThrow(LabError);
    expect(() => new SpaceModel(space, compile(space, 'n + k == 5'))).toThrow(/needs a float parameter/);
    expect(new SpaceModel(space, compile(space, 'a == 0.5', '2 * a == 1')).dependents).toHaveLength(1);
  });
});

describe('feasible sampler', () => {
  const square: SearchSpace = {
    a: { type: 'float', min: 0, max: 100 },
    b: { type: 'float', min: 0, max: 100 },
  };

  it('finds points where rejection would almost never land (5e-5 of the square), spread out', () => {
    const m = new SpaceModel(square, compile(square, 'a + b >= 199'));
    const sampler = new FeasibleSampler(m, 7);
    const rng = new SeededRandom(1);
    const points = Array.from({ length: 50 }, () => sampler.sample(rng));
    for (const p of points) expect(m.isFeasible(p)).toBe(true);
    expect(new Set(points.map((p) => m.key(p))).size).toBeGreaterThan(40);
  });

  it('handles a non-linear constraint by rejection', () => {
    const m = new SpaceModel(square, compile(square, 'a * b <= 500', 'a >= 10'));
    const sampler = new FeasibleSampler(m, 7);
    const rng = new SeededRandom(2);
    for (let i = 0; i < 100; i++) expect(m.isFeasible(sampler.sample(rng))).toBe(true);
  });

  it('says so, with a code, when no point satisfies the constraints', () => {
    const m = new SpaceModel(square, compile(square, 'a + b >= 300'));
    const sampler = new FeasibleSampler(m, 7);
    let error: unknown;
    try {
      sampler.sample(new SeededRandom(1));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LabError);
    expect((error as LabError).code).toBe('STRATEGY_FAILED');
    expect((error as LabError).message).toContain('a + b >= 300');
  });
});
