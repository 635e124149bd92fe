/**
 * Time of one bayes ask() with n observations in 6-D (Hartmann-6 at scrambled-Sobol points), in steady state: the
 * strategy has seen n − reps observations and asked once (that first ask builds the hyperparameter chain and is
 * timed apart as the rebuild cost); then, `reps` times, one more observation is told and one ask() is timed — as in a
 * campaign, where refits happen at the checkpoints they fall on.
 */
import { bayesStrategy } from '../../src/optimizers/bayes/bayes.strategy.js';
import { SobolSequence } from '../../src/optimizers/numerics/sobol.js';
import type { Observation } from '../../src/optimizers/strategy.port.js';
import { DOMAINS } from './domains.js';

export interface AskTiming {
  n: number;
  rebuildMs: number;
  /** Wall time of each timed ask. */
  timesMs: number[];
  /** CPU time of each (user + system, this process): less sensitive to other load on a shared machine. */
  cpuMs: number[];
}

export async function timeAsks(n: number, reps: number, seed = 1): Promise<AskTiming> {
  const domain = DOMAINS.find((d) => d.name === 'Hartmann6')!;
  const names = Object.keys(domain.space);
  const sobol = new SobolSequence(names.length, seed);
  const observation = (i: number): Observation => {
    const params = Object.fromEntries(names.map((k, d) => [k, sobol.point(i)[d]!]));
    return { suggestionId: `h${i}`, params, values: { y: { mean: domain.evaluate(params) } } };
  };
  const s = bayesStrategy({
    space: domain.space,
    objectives: { y: { goal: 'maximize' } },
    constraints: [],
    seed,
    options: {},
  });
  await s.tell(Array.from({ length: n - reps }, (_, i) => observation(i)));
  let t = performance.now();
  await s.ask(1, []);
  const rebuildMs = performance.now() - t;
  const timesMs: number[] = [];
  const cpuMs: number[] = [];
  for (let r = 0; r < reps; r++) {
    await s.tell([observation(n - reps + r)]);
    const cpu = process.cpuUsage();
    t = performance.now();
    await s.ask(1, []);
    timesMs.push(performance.now() - t);
    const used = process.cpuUsage(cpu);
    cpuMs.push((used.user + used.system) / 1000);
  }
  return { n, rebuildMs, timesMs, cpuMs };
}
