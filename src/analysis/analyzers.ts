/**
 * Analyzers turn an experiment's measurements (protocol outputs) into an objective's value and its uncertainty:
 * `value` (one number as it is), `mean` (mean and standard error of replicates), `expr` (a computed value over the
 * outputs), and the series analyzers in series.analyzers.ts — `peak-area` (a chromatogram peak), `initial-rate` (the
 * early slope of a kinetic read) and `growth-fit` (a growth curve). A value that cannot be derived is a reason, not
 * an exception: the experiment fails with it and the strategy is told.
 */
import { evaluateNode, ExpressionError, parseExpression } from '../common/expression.js';
import { isList, quantity, toNumberIn, ValueError, type Value } from '../common/quantity.js';
import type { AnalyzerSpec } from '../protocol/campaign.schema.js';
import { growthOf, initialRateOf, peakAreaOf } from './series.analyzers.js';

export type OutputValue = number | string | boolean | OutputValue[];

export interface Measurements {
  values: Readonly<Record<string, OutputValue>>;
  units: Readonly<Record<string, string>>;
}

export type Analysis = { ok: true; mean: number; sem?: number } | { ok: false; reason: string };

export const AVAILABLE_ANALYZERS = [
  'value',
  'mean',
  'expr',
  'peak-area',
  'initial-rate',
  'growth-fit',
] as const;

export function analyze(from: AnalyzerSpec, m: Measurements): Analysis {
  switch (from.analyzer) {
    case 'value':
      return value(from.measurement, m);
    case 'mean':
      return mean(from.measurement, m);
    case 'expr':
      return expression(from.expr, m);
    case 'peak-area':
      return peakAreaOf(from, m);
    case 'initial-rate':
      return initialRateOf(from, m);
    case 'growth-fit':
      return growthOf(from, m);
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
