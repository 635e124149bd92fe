/**
 * The maximum space-time yield of the SnAr model over its published bounds, for the benchmark's regret: the best of
 * a 9×9×9×19 grid and 256 scrambled-Sobol points, each of the best 20 refined by bounded quasi-Newton with
 * central-difference gradients in the unit cube. Run: node dist/bench/optimizers/snar-optimum.js
 */
import { minimizeBounded } from '../../src/optimizers/numerics/lbfgsb.js';
import { SobolSequence } from '../../src/optimizers/numerics/sobol.js';
import { SNAR_BOUNDS, simulateSnar } from '../../simulators/chem/snar.model.js';

const KEYS = ['residenceTimeMin', 'equivalents', 'concentrationM', 'temperatureC'] as const;

function sty(u: ArrayLike<number>): number {
  const c = Object.fromEntries(
    KEYS.map((k, i) => {
      const [lo, hi] = SNAR_BOUNDS[k];
      return [k, lo + Math.min(1, Math.max(0, u[i]!)) * (hi - lo)];
    }),
  ) as Record<(typeof KEYS)[number], number>;
  return simulateSnar(c).sty;
}

export function snarOptimum(): { sty: number; at: Record<string, number> } {
  const starts: Float64Array[] = [];
  const levels = [9, 9, 9, 19];
  for (let a = 0; a < levels[0]!; a++)
    for (let b = 0; b < levels[1]!; b++)
      for (let c = 0; c < levels[2]!; c++)
        for (let d = 0; d < levels[3]!; d++)
          starts.push(Float64Array.of(a / 8, b / 8, c / 8, d / (levels[3]! - 1)));
  starts.push(...new SobolSequence(4, 11).points(0, 256));
  const scored = starts.map((u) => ({ u, v: sty(u) })).sort((x, y) => y.v - x.v);
  let best = scored[0]!;
  for (const s of scored.slice(0, 20)) {
    const f = (u: Float64Array): { value: number; gradient: Float64Array } => {
      const gradient = Float64Array.from(u, (_, i) => {
        const h = 1e-6;
        const up = Float64Array.from(u);
        const down = Float64Array.from(u);
        up[i] = Math.min(1, u[i]! + h);
        down[i] = Math.max(0, u[i]! - h);
        return -(sty(up) - sty(down)) / (up[i] - down[i]);
      });
      return { value: -sty(u), gradient };
    };
    const r = minimizeBounded(f, s.u, [0, 0, 0, 0], [1, 1, 1, 1], {
      maxIterations: 200,
      gradientTolerance: 1e-4,
    });
    if (-r.value > best.v) best = { u: r.x, v: -r.value };
  }
  const at = Object.fromEntries(
    KEYS.map((k, i) => [k, SNAR_BOUNDS[k][0] + best.u[i]! * (SNAR_BOUNDS[k][1] - SNAR_BOUNDS[k][0])]),
  );
  return { sty: best.v, at };
}

if (process.argv[1]?.endsWith('snar-optimum.js')) {
  const r = snarOptimum();
  process.stdout.write(`max STY ${r.sty.toFixed(3)} at ${JSON.stringify(r.at)}\n`);
}
