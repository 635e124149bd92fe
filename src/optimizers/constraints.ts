/**
 * Constraints over parameters, written as expressions (`a + b + c <= 100`, `temperature * time < 5000`). Compiled
 * once: a linear one also carries its coefficients, so strategies can sample and optimize inside it exactly; any
 * one can be tested on a point.
 */
import {
  evaluateNode,
  ExpressionError,
  linearForm,
  parseExpression,
  referencesOf,
  type Node,
} from '../common/expression.js';
import { didYouMean } from '../common/suggest.js';
import type { Constraint, ParamValue } from './strategy.port.js';

const COMPARISONS = new Set(['<', '<=', '>', '>=', '==']);
/** Slack for equality and for rounding: a point within this of the boundary satisfies the constraint. */
const TOLERANCE = 1e-9;

export type CompileResult = { ok: true; constraint: Constraint } | { ok: false; message: string };

export function compileConstraint(expr: string, parameters: readonly string[]): CompileResult {
  let node: Node;
  try {
    node = parseExpression(expr);
  } catch (e) {
    return {
      ok: false,
      message:
        e instanceof ExpressionError
          ? `cannot read "${expr}": ${e.message} at character ${e.at + 1}`
          : String(e),
    };
  }
  for (const path of referencesOf(node)) {
    const name = path.join('.');
    if (path.length !== 1 || !parameters.includes(name)) {
      return { ok: false, message: `"${name}" is not a parameter${didYouMean(name, parameters)}` };
    }
  }
  if (!isCondition(node))
    return { ok: false, message: `"${expr}" is not a condition: expected a comparison such as a + b <= 100` };
  const constraint: Constraint = {
    expr,
    holds: (params) => holds(node, params),
  };
  const linear = linearOf(node);
  if (linear) constraint.linear = linear;
  return { ok: true, constraint };
}

function isCondition(node: Node): boolean {
  if (node.kind === 'binary' && COMPARISONS.has(node.op)) return true;
  if (node.kind === 'binary' && (node.op === 'and' || node.op === 'or'))
    return isCondition(node.left) && isCondition(node.right);
  return node.kind === 'unary' && node.op === 'not' && isCondition(node.arg);
}

/** `lhs op rhs` with both sides linear becomes Σ c·x op k (strict and non-strict alike). */
function linearOf(node: Node): Constraint['linear'] {
  if (node.kind !== 'binary' || !COMPARISONS.has(node.op)) return undefined;
  const l = linearForm(node.left);
  const r = linearForm(node.right);
  if (!l || !r) return undefined;
  const coefficients: Record<string, number> = { ...l.coefficients };
  for (const [n, c] of Object.entries(r.coefficients)) coefficients[n] = (coefficients[n] ?? 0) - c;
  for (const [n, c] of Object.entries(coefficients)) if (c === 0) delete coefficients[n];
  if (Object.keys(coefficients).length === 0) return undefined;
  const op = node.op === '<' ? '<=' : node.op === '>' ? '>=' : (node.op as '<=' | '>=' | '==');
  return { coefficients, op, rhs: r.constant - l.constant };
}

function holds(node: Node, params: Readonly<Record<string, ParamValue>>): boolean {
  const resolve = (path: readonly string[]): ParamValue | undefined => params[path[0] as string];
  if (node.kind === 'binary' && COMPARISONS.has(node.op)) {
    const a = evaluateNode(node.left, resolve);
    const b = evaluateNode(node.right, resolve);
    if (typeof a === 'number' && typeof b === 'number') {
      const slack = TOLERANCE * Math.max(1, Math.abs(a), Math.abs(b));
      switch (node.op) {
        case '<':
        case '<=':
          return a <= b + slack;
        case '>':
        case '>=':
          return a >= b - slack;
        case '==':
          return Math.abs(a - b) <= slack;
        default:
          break;
      }
    }
    return evaluateNode(node, resolve) === true;
  }
  if (node.kind === 'binary' && node.op === 'and')
    return holds(node.left, params) && holds(node.right, params);
  if (node.kind === 'binary' && node.op === 'or')
    return holds(node.left, params) || holds(node.right, params);
  if (node.kind === 'unary' && node.op === 'not') return !holds(node.arg, params);
  return false;
}

/**
 * How far a point is from satisfying a constraint: 0 when it holds, otherwise the amount by which its comparisons
 * fail (summed over `and`, least over `or`; 1 for a failing test that has no size). Lets a sampler walk towards
 * the feasible region when random points almost never land in it.
 */
export function violation(constraint: Constraint, params: Readonly<Record<string, ParamValue>>): number {
  if (constraint.holds(params)) return 0;
  let node = parsed.get(constraint.expr);
  if (!node) {
    node = parseExpression(constraint.expr);
    parsed.set(constraint.expr, node);
  }
  return Math.max(violationOf(node, params), Number.MIN_VALUE);
}

const parsed = new Map<string, Node>();

function violationOf(node: Node, params: Readonly<Record<string, ParamValue>>): number {
  if (holds(node, params)) return 0;
  if (node.kind === 'binary' && node.op === 'and')
    return violationOf(node.left, params) + violationOf(node.right, params);
  if (node.kind === 'binary' && node.op === 'or')
    return Math.min(violationOf(node.left, params), violationOf(node.right, params));
  if (node.kind === 'binary' && COMPARISONS.has(node.op)) {
    const resolve = (path: readonly string[]): ParamValue | undefined => params[path[0] as string];
    const a = evaluateNode(node.left, resolve);
    const b = evaluateNode(node.right, resolve);
    if (typeof a === 'number' && typeof b === 'number' && Number.isFinite(a - b)) return Math.abs(a - b);
  }
  return 1;
}

export function satisfiesAll(
  constraints: readonly Constraint[],
  params: Readonly<Record<string, ParamValue>>,
): boolean {
  return constraints.every((c) => c.holds(params));
}
