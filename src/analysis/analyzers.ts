/**
 * Analyzers turn an experiment's measurements (protocol outputs) into an objective's value and its uncertainty.
 * Here: `value` (one number as it is), `mean` (mean and standard error of replicates) and `expr` (a computed value
 * over the outputs). `peak-area`, `initial-rate` and `growth-fit` are part of the language and its checks; they are
 * implemented with the analysis stage of the loop (issue 6), and a campaign that uses one is refused at start until
 * then.
 */
import { evaluateNode, ExpressionError, parseExpression } from '../common/expression.js';
import { isList, quantity, toNumberIn, ValueError, type Value } from '../common/quantity.js';
import type { AnalyzerSpec } from '../protocol/campaign.schema.js';

export type OutputValue = number | string | boolean | OutputValue[];

export interface Measurements {
  values: Readonly<Record<string, OutputValue>>;
  units: Readonly<Record<string, string>>;
}

export type Analysis = { ok: true; mean: number; sem?: number } | { ok: false; reason: string };

export const AVAILABLE_ANALYZERS = ['value', 'mean', 'expr'] as const;

export function analyze(from: AnalyzerSpec, m: Measurements): Analysis {
  switch (from.analyzer) {
    case 'value':
      return value(from.measurement, m);
    case 'mean':
      return mean(from.measurement, m);
    case 'expr':
      return expression(from.expr, m);
    case 'peak-area':
    case 'initial-rate':
    case 'growth-fit':
      return { ok: false, reason: `the ${from.analyzer} analyzer is not available in this version` };
  }
}

function value(name: string, m: Measurements): Analysis {
  const v = m.values[name];
  if (typeof v !== 'number' || !Number.isFinite(v))
    return {
      ok: false,
      reason: `measurement ${name} is ${JSON.stringify(v) ?? 'missing'}, not a finite number`,
    };
  return { ok: true, mean: v };
}

/** Mean and standard error (sample standard deviation / √n) of replicates. */
function mean(name: string, m: Measurements): Analysis {
  const v = m.values[name];
  const list = Array.isArray(v) ? v : [v];
  const nums = list.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  if (nums.length === 0 || nums.length !== list.length)
    return {
      ok: false,
      reason: `measurement ${name} is ${JSON.stringify(v) ?? 'missing'}, not a list of finite numbers`,
    };
  const n = nums.length;
  const mu = nums.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return { ok: true, mean: mu };
  const variance = nums.reduce((a, b) => a + (b - mu) ** 2, 0) / (n - 1);
  return { ok: true, mean: mu, sem: Math.sqrt(variance / n) };
}

function expression(text: string, m: Measurements): Analysis {
  try {
    const v = evaluateNode(parseExpression(text), (p) => {
      const [name, ...rest] = p;
      const raw = name === undefined ? undefined : m.values[name];
      if (raw === undefined || rest.length > 0) return undefined;
      return revive(raw, m.units[name as string]);
    });
    const n = isList(v) ? NaN : toNumberIn(v, undefined, 'expr');
    if (!Number.isFinite(n)) return { ok: false, reason: `"${text}" is not a finite number` };
    return { ok: true, mean: n };
  } catch (e) {
    if (e instanceof ExpressionError || e instanceof ValueError)
      return { ok: false, reason: `"${text}": ${e.message}` };
    throw e;
  }
}

function revive(v: OutputValue, unit: string | undefined): Value {
  if (typeof v === 'number') return quantity(v, unit);
  if (Array.isArray(v)) return v.map((x) => revive(x, unit));
  return v;
}
