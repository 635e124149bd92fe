import { minimizeBounded, type Objective } from './lbfgsb.js';

const rosenbrock: Objective = (x) => {
  const [a, b] = [x[0]!, x[1]!];
  return {
    value: (1 - a) ** 2 + 100 * (b - a * a) ** 2,
    gradient: Float64Array.from([-2 * (1 - a) - 400 * a * (b - a * a), 200 * (b - a * a)]),
  };
};

describe('bounded quasi-Newton minimization', () => {
  it('finds the minimum of the Rosenbrock function inside the box', () => {
    const r = minimizeBounded(rosenbrock, [-1.2, 1], [-2, -2], [2, 2], { maxIterations: 500 });
    expect(r.x[0]).toBeCloseTo(1, 4);
    expect(r.x[1]).toBeCloseTo(1, 4);
    expect(r.value).toBeLessThan(1e-8);
  });

  it('stops on a bound when the unconstrained minimum lies outside', () => {
    // min (x − 3)² + (y + 1)² over [0, 1]² is at (1, 0).
    const f: Objective = (x) => ({
      value: (x[0]! - 3) ** 2 + (x[1]! + 1) ** 2,
      gradient: Float64Array.from([2 * (x[0]! - 3), 2 * (x[1]! + 1)]),
    });
    const r = minimizeBounded(f, [0.5, 0.5], [0, 0], [1, 1]);
    expect(Array.from(r.x)).toEqual([1, 0]);
    expect(r.reason).toBe('gradient');
  });

  it('converges on a badly scaled quadratic in ten dimensions', () => {
    const scale = Array.from({ length: 10 }, (_, i) => 10 ** (i / 3));
    const f: Objective = (x) => {
      let value = 0;
      const gradient = new Float64Array(10);
      for (let i = 0; i < 10; i++) {
        const d = x[i]! - 0.1 * i;
        value += scale[i]! * d * d;
        gradient[i] = 2 * scale[i]! * d;
      }
      return { value, gradient };
    };
    const r = minimizeBounded(
      f,
      new Float64Array(10).fill(5),
      new Float64Array(10).fill(-10),
      new Float64Array(10).fill(10),
    );
    for (let i = 0; i < 10; i++) expect(r.x[i]).toBeCloseTo(0.1 * i, 5);
  });

  it('never leaves a region where the objective answers Infinity', () => {
    // Minimize distance to (1, 1) while x + y ≤ 1 is enforced only by refusing points outside it.
    const visited: number[][] = [];
    const f: Objective = (x) => {
      visited.push([x[0]!, x[1]!]);
      if (x[0]! + x[1]! > 1) return { value: Infinity, gradient: new Float64Array(2) };
      return {
        value: (x[0]! - 1) ** 2 + (x[1]! - 1) ** 2,
        gradient: Float64Array.from([2 * (x[0]! - 1), 2 * (x[1]! - 1)]),
      };
    };
    const r = minimizeBounded(f, [0.1, 0.2], [0, 0], [1, 1]);
    expect(r.x[0]! + r.x[1]!).toBeLessThanOrEqual(1);
    expect(r.x[0]! + r.x[1]!).toBeGreaterThan(0.99);
    expect(r.value).toBeLessThan(0.6);
  });

  it('returns the start when the objective refuses it', () => {
    const r = minimizeBounded(() => ({ value: NaN, gradient: new Float64Array(1) }), [0.5], [0], [1]);
    expect(r.reason).toBe('not-finite');
  });
});
