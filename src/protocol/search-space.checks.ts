/**
 * Checks a search space — parameters and constraints — for campaigns and space files alike: ranges that make sense,
 * constraints that compile (with `compileConstraint`, the same compiler strategies use), and constraints some point
 * of the space satisfies, each alone (interval arithmetic) and all together (linear programming for the linear
 * ones, seeded sampling for the rest).
 */
import { boundsOf, numRange, type Abstract } from '../common/expression-bounds.js';
import { hasQuantities, parseExpression } from '../common/expression.js';
import { isFeasible, type LinearRow } from '../common/linear-feasibility.js';
import { formatNumber } from '../common/quantity.js';
import { deriveSeed, SeededRandom } from '../common/seeded-random.js';
import { compileConstraint, satisfiesAll } from '../optimizers/constraints.js';
import { sampleParams } from '../optimizers/space/space-model.js';
import type { Constraint } from '../optimizers/strategy.port.js';
import type { ParameterSpec } from './campaign.schema.js';
import type { Finding } from './lab.checks.js';

export function checkParameters(parameters: Readonly<Record<string, ParameterSpec>>): Finding[] {
  const out: Finding[] = [];
  for (const [p, spec] of Object.entries(parameters)) {
    if (spec.type === 'categorical') {
      const seen = new Set<string>();
      spec.choices.forEach((c, i) => {
        const k = JSON.stringify(c);
        if (seen.has(k)) out.push({ path: ['parameters', p, 'choices', i], message: `${k} is listed twice` });
        seen.add(k);
      });
      continue;
    }
    if (spec.min > spec.max)
      out.push({
        path: ['parameters', p, 'max'],
        message: `expected max >= min (${spec.min}), got ${spec.max}`,
      });
    if (spec.log && spec.min <= 0)
      out.push({
        path: ['parameters', p, 'min'],
        message: `a log-scale parameter needs min > 0, got ${spec.min}`,
      });
  }
  return out;
}

/** Compiles the constraints and checks that points satisfy them; returns the compiled ones for later checks. */
export function checkConstraints(
  texts: readonly string[],
  parameters: Readonly<Record<string, ParameterSpec>>,
): { findings: Finding[]; constraints: Constraint[] } {
  const findings: Finding[] = [];
  const constraints: Constraint[] = [];
  const names = Object.keys(parameters);
  texts.forEach((text, i) => {
    const at = ['constraints', i];
    const r = compileConstraint(text, names);
    if (!r.ok) {
      findings.push({ path: at, message: r.message });
      return;
    }
    if (hasQuantities(parseExpression(text))) {
      findings.push({
        path: at,
        message: 'constraints compare parameters as plain numbers in their own units: drop the unit',
      });
      return;
    }
    const alone = unsatisfiable(text, r.constraint, parameters);
    if (alone) findings.push({ path: at, message: alone });
    else constraints.push(r.constraint);
  });
  if (constraints.length > 1 && constraints.length === texts.length) {
    const together = jointlyUnsatisfiable(constraints, parameters);
    if (together) findings.push({ path: ['constraints'], message: together });
  }
  return { findings, constraints };
}

/** Why no point satisfies one constraint, if none does. */
function unsatisfiable(
  text: string,
  c: Constraint,
  parameters: Readonly<Record<string, ParameterSpec>>,
): string | undefined {
  const env = (path: readonly string[]): Abstract | { error: string } => {
    const p = parameters[path[0] as string];
    if (!p) return { error: 'unknown' };
    if (p.type === 'categorical') {
      const nums = p.choices.filter((x): x is number => typeof x === 'number');
      return nums.length === p.choices.length
        ? numRange(Math.min(...nums), Math.max(...nums))
        : { t: 'any', dynamic: false };
    }
    return numRange(p.min, p.max);
  };
  const v = boundsOf(parseExpression(text), env).value;
  if (v.t !== 'bool' || v.canTrue) return undefined;
  if (c.linear) {
    let lo = 0;
    let hi = 0;
    for (const [n, k] of Object.entries(c.linear.coefficients)) {
      const p = parameters[n];
      if (!p || p.type === 'categorical') return undefined;
      lo += Math.min(k * p.min, k * p.max);
      hi += Math.max(k * p.min, k * p.max);
    }
    return `no point of the search space satisfies it: ${linearText(c.linear.coefficients)} lies in [${formatNumber(lo)}, ${formatNumber(hi)}], never ${c.linear.op} ${formatNumber(c.linear.rhs)}`;
  }
  return 'no point of the search space satisfies it';
}

function jointlyUnsatisfiable(
  constraints: Constraint[],
  parameters: Readonly<Record<string, ParameterSpec>>,
): string | undefined {
  const bounds: Record<string, { min: number; max: number }> = {};
  for (const [n, p] of Object.entries(parameters))
    if (p.type !== 'categorical') bounds[n] = { min: p.min, max: p.max };
  const linear = constraints.filter(
    (c) => c.linear && Object.keys(c.linear.coefficients).every((n) => bounds[n]),
  );
  if (
    linear.length > 1 &&
    !isFeasible(
      linear.map((c) => c.linear as LinearRow),
      bounds,
    )
  )
    return `no point of the search space satisfies all of ${linear.map((c) => `"${c.expr}"`).join(', ')} together`;
  if (linear.length === constraints.length) return undefined;
  // Some are not linear: look for a point by seeded sampling. Not finding one in many is what a strategy would hit.
  const rng = new SeededRandom(deriveSeed(0, 'constraints'));
  const tries = 2000;
  for (let i = 0; i < tries; i++)
    if (satisfiesAll(constraints, sampleParams(parameters, rng))) return undefined;
  if (constraints.some((c) => /==/.test(c.expr))) return undefined;
  return `no point satisfying all constraints together was found among ${tries} points of the search space`;
}

function linearText(coefficients: Readonly<Record<string, number>>): string {
  let out = '';
  for (const [n, c] of Object.entries(coefficients)) {
    const mag = Math.abs(c) === 1 ? n : `${formatNumber(Math.abs(c))}*${n}`;
    out += out === '' ? (c < 0 ? `-${mag}` : mag) : c < 0 ? ` - ${mag}` : ` + ${mag}`;
  }
  return out;
}
