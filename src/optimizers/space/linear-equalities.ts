/**
 * Linear equality constraints (`a + b + c == 100`) are met exactly by solving them: Gauss–Jordan elimination picks
 * one float parameter per equality (a "dependent") and writes it as an affine function of the others, so samplers
 * and optimizers move only the free parameters and every point they produce satisfies the equalities up to
 * rounding. A dependent's own bounds then act as inequalities, checked like any other constraint.
 */
import { LabError } from '../../common/lab-error.js';
import type { Constraint, SearchSpace } from '../strategy.port.js';

export interface Dependent {
  name: string;
  /** value = constant + Σ coefficients[p]·p over free parameters. */
  constant: number;
  coefficients: Record<string, number>;
}

const EPS = 1e-12;

/** The dependents defined by the equality constraints; throws when they contradict each other. */
export function solveEqualities(space: SearchSpace, constraints: readonly Constraint[]): Dependent[] {
  const rows = constraints
    .filter(
      (c) => c.linear?.op === '==' && Object.keys(c.linear.coefficients).every((p) => isNumeric(space, p)),
    )
    .map((c) => ({ expr: c.expr, coefficients: { ...c.linear!.coefficients }, rhs: c.linear!.rhs }));
  const dependents: Dependent[] = [];
  for (const row of rows) {
    for (const dep of dependents) substitute(row, dep);
    const pivot = choosePivot(space, row.coefficients, dependents);
    if (!pivot) {
      const scale = Math.max(1, Math.abs(row.rhs));
      if (Object.values(row.coefficients).every((c) => Math.abs(c) < EPS) && Math.abs(row.rhs) < 1e-9 * scale)
        continue; // implied by the equalities before it
      throw new LabError(
        'STRATEGY_FAILED',
        Object.values(row.coefficients).some((c) => Math.abs(c) >= EPS)
          ? `constraint "${row.expr}": an equality needs a float parameter to solve for; it has only integers`
          : `constraint "${row.expr}" contradicts the equalities before it`,
        'constraints',
      );
    }
    const a = row.coefficients[pivot]!;
    const dep: Dependent = { name: pivot, constant: row.rhs / a, coefficients: {} };
    for (const [p, c] of Object.entries(row.coefficients))
      if (p !== pivot && Math.abs(c) >= EPS) dep.coefficients[p] = -c / a;
    for (const earlier of dependents) substituteInto(earlier, dep);
    dependents.push(dep);
  }
  return dependents;
}

function isNumeric(space: SearchSpace, name: string): boolean {
  const p = space[name];
  return p !== undefined && p.type !== 'categorical';
}

/** Replaces a dependent in an equality row by its expression. */
function substitute(row: { coefficients: Record<string, number>; rhs: number }, dep: Dependent): void {
  const a = row.coefficients[dep.name];
  if (a === undefined) return;
  delete row.coefficients[dep.name];
  row.rhs -= a * dep.constant;
  for (const [p, c] of Object.entries(dep.coefficients))
    row.coefficients[p] = (row.coefficients[p] ?? 0) + a * c;
}

/** Replaces `dep` in an earlier dependent's expression, keeping every expression in free parameters only. */
function substituteInto(target: Dependent, dep: Dependent): void {
  const a = target.coefficients[dep.name];
  if (a === undefined) return;
  delete target.coefficients[dep.name];
  target.constant += a * dep.constant;
  for (const [p, c] of Object.entries(dep.coefficients)) {
    const v = (target.coefficients[p] ?? 0) + a * c;
    if (Math.abs(v) < EPS) delete target.coefficients[p];
    else target.coefficients[p] = v;
  }
}

/** The float parameter with the largest coefficient times range (best conditioned), not already dependent. */
function choosePivot(
  space: SearchSpace,
  coefficients: Record<string, number>,
  dependents: readonly Dependent[],
): string | undefined {
  let best: string | undefined;
  let bestWeight = EPS;
  for (const [p, c] of Object.entries(coefficients)) {
    const def = space[p];
    if (def?.type !== 'float' || dependents.some((d) => d.name === p)) continue;
    const weight = Math.abs(c) * Math.max(def.max - def.min, EPS);
    if (weight > bestWeight) [best, bestWeight] = [p, weight];
  }
  return best;
}
