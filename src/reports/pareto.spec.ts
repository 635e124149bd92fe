import { dominates, paretoFront, runningBest, type Goals } from './pareto.js';

const v = (a: number, b: number) => ({ values: { yield: { mean: a }, cost: { mean: b } } });
const goals: Goals = { yield: 'maximize', cost: 'minimize' };

describe('Pareto front', () => {
  it('keeps exactly the points that no other point beats on every objective', () => {
    const points = [v(1, 1), v(2, 2), v(2, 1), v(0.5, 0.5), v(3, 5), v(2.5, 5)];
    expect(paretoFront(points, goals)).toEqual([v(2, 1), v(0.5, 0.5), v(3, 5)]);
  });

  it('treats equal points as not dominating each other, and skips incomplete points', () => {
    const twin = [v(1, 1), v(1, 1), { values: { yield: { mean: 9 } } }];
    expect(paretoFront(twin, goals)).toEqual([v(1, 1), v(1, 1)]);
    expect(dominates(v(1, 1).values, v(1, 1).values, goals)).toBe(false);
  });

  it('has no point of the front dominated, and every other point dominated (random sets)', () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    for (let trial = 0; trial < 50; trial++) {
      const pts = Array.from({ length: 40 }, () => v(rnd(), rnd()));
      const front = paretoFront(pts, goals);
      for (const p of front) expect(pts.some((q) => dominates(q.values, p.values, goals))).toBe(false);
      for (const p of pts.filter((x) => !front.includes(x)))
        expect(front.some((q) => dominates(q.values, p.values, goals))).toBe(true);
    }
  });
});

describe('running best', () => {
  it('follows the best value so far for either goal', () => {
    expect(runningBest([3, 1, 4, 1, 5], 'maximize')).toEqual([3, 3, 4, 4, 5]);
    expect(runningBest([3, 1, 4, 0, 5], 'minimize')).toEqual([3, 1, 1, 0, 0]);
  });
});
