/** The Pareto front of observations over several objectives: the points no other point beats on every objective. */
import type { ObjectiveValues } from '../events/event-map.js';

export type Goals = Record<string, 'maximize' | 'minimize'>;

export interface Point {
  values: ObjectiveValues;
}

/** True when `a` is at least as good as `b` on every objective and strictly better on one. */
export function dominates(a: ObjectiveValues, b: ObjectiveValues, goals: Goals): boolean {
  let strictly = false;
  for (const [name, goal] of Object.entries(goals)) {
    const x = a[name]?.mean;
    const y = b[name]?.mean;
    if (x === undefined || y === undefined) return false;
    const better = goal === 'maximize' ? x > y : x < y;
    const worse = goal === 'maximize' ? x < y : x > y;
    if (worse) return false;
    if (better) strictly = true;
  }
  return strictly;
}

/** The non-dominated points, in their original order (O(n²): campaigns hold hundreds to thousands of points). */
export function paretoFront<P extends Point>(points: readonly P[], goals: Goals): P[] {
  const complete = points.filter((p) => Object.keys(goals).every((k) => Number.isFinite(p.values[k]?.mean)));
  return complete.filter((p) => !complete.some((q) => q !== p && dominates(q.values, p.values, goals)));
}

/** For each point in order, the best value of one objective seen so far (the convergence curve). */
export function runningBest(values: readonly number[], goal: 'maximize' | 'minimize'): number[] {
  const out: number[] = [];
  let best: number | undefined;
  for (const v of values) {
    if (best === undefined || (goal === 'maximize' ? v > best : v < best)) best = v;
    out.push(best);
  }
  return out;
}
