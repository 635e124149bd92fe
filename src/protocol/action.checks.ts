/**
 * Checks one instrument action step against the lab: the instrument and action exist ("did you mean"), every
 * parameter is given once, each value has the parameter's type and unit, and no value can leave the parameter's
 * hard limit anywhere in the search space — the worst case is reported, with the point that reaches it.
 */
import { rangeIn, unitText, type Abstract } from '../common/expression-bounds.js';
import { formatNumber } from '../common/quantity.js';
import type { PathKey } from '../common/schema-messages.js';
import { didYouMean } from '../common/suggest.js';
import { parseUnit, sameDimension, type Unit } from '../common/units.js';
import { limitFor, type Finding } from './lab.checks.js';
import type { LabSpec, LimitSpec, ParamSpec } from './lab.schema.js';
import { brief, type SearchProbe } from './limit-probe.js';
import type { InputBinding, LoopVars } from './protocol.checks.js';
import { describe, valueOfSpec } from './abstract-values.js';
import type { ActionStepSpec } from './protocol.schema.js';
import type { Template } from './value-template.js';

export interface ActionCheckContext {
  lab?: LabSpec;
  inputs: Record<string, InputBinding>;
  probe?: SearchProbe;
  loops: LoopVars;
}

type TemplateReader = (value: unknown, path: PathKey[]) => { abstract: Abstract; template?: Template };

/** Checks the step; returns its results' abstract values when the action is known. */
export function checkActionStep(
  step: ActionStepSpec,
  path: PathKey[],
  ctx: ActionCheckContext,
  read: TemplateReader,
  add: (f: Finding) => void,
): Record<string, Abstract> | undefined {
  const problem = (at: PathKey[], message: string, atKey = false): void => add({ path: at, message, atKey });
  const readAll = (): void => {
    for (const [p, v] of Object.entries(step.params)) read(v, [...path, 'params', p]);
  };
  const lab = ctx.lab;
  if (!lab) {
    readAll();
    return undefined;
  }
  const inst = lab.instruments[step.instrument];
  if (!inst) {
    problem(
      [...path, 'instrument'],
      `no instrument "${step.instrument}" in the lab${didYouMean(step.instrument, Object.keys(lab.instruments))}`,
    );
    readAll();
    return undefined;
  }
  const action = inst.actions[step.action];
  if (!action) {
    problem(
      [...path, 'action'],
      `${step.instrument} has no action "${step.action}"${didYouMean(step.action, Object.keys(inst.actions))}`,
    );
    readAll();
    return undefined;
  }
  for (const p of Object.keys(action.params)) {
    if (!(p in step.params))
      problem([...path, 'params'], `missing parameter "${p}" of ${step.instrument}.${step.action}`);
  }
  for (const [p, value] of Object.entries(step.params)) {
    const at = [...path, 'params', p];
    const spec = action.params[p];
    const { abstract, template } = read(value, at);
    if (!spec) {
      problem(
        at,
        `${step.instrument}.${step.action} has no parameter "${p}"${didYouMean(p, Object.keys(action.params))}`,
        true,
      );
      continue;
    }
    const what = `${step.instrument}.${step.action}.${p}`;
    const typeProblem = checkType(spec, abstract, template);
    if (typeProblem) {
      problem(at, typeProblem);
      continue;
    }
    const limit = limitFor(inst, step.action, p);
    if (limit && (spec.type === 'number' || spec.type === 'integer'))
      for (const m of checkLimit(abstract, template, limit, spec.unit, what, ctx)) problem(at, m);
  }
  return Object.fromEntries(Object.entries(action.result).map(([r, s]) => [r, valueOfSpec(s)]));
}

function checkType(spec: ParamSpec, v: Abstract, template: Template | undefined): string | undefined {
  if (v.t === 'any') return undefined;
  switch (spec.type) {
    case 'number':
    case 'integer': {
      if (v.t !== 'num') return `expected a number${spec.unit ? ` in ${spec.unit}` : ''}, got ${describe(v)}`;
      const unit = spec.unit ? parseUnit(spec.unit) : undefined;
      if (unit && v.unit && !sameDimension(unit, v.unit))
        return `unit mismatch: expected ${unitText(unit)}, got ${unitText(v.unit)}`;
      if (!unit && v.unit)
        return `unit mismatch: the parameter takes a plain number, got ${unitText(v.unit)}`;
      if (
        spec.type === 'integer' &&
        template?.kind === 'literal' &&
        typeof template.value === 'number' &&
        !Number.isInteger(template.value)
      )
        return `expected an integer, got ${String(template.value)}`;
      break;
    }
    case 'string':
      if (v.t !== 'str') return `expected text, got ${describe(v)}`;
      break;
    case 'boolean':
      if (v.t !== 'bool') return `expected true or false, got ${describe(v)}`;
      break;
  }
  if (
    spec.enum &&
    template?.kind === 'literal' &&
    (typeof template.value === 'string' || typeof template.value === 'number')
  ) {
    const value = template.value;
    if (!spec.enum.includes(value)) {
      const hint = typeof value === 'string' ? didYouMean(value, spec.enum.map(String)) : '';
      return `expected one of ${spec.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(value)}${hint}`;
    }
  }
  return undefined;
}

/** Messages for a value that can leave `limit` over the search space (none when it cannot, or cannot be known). */
function checkLimit(
  v: Abstract,
  template: Template | undefined,
  limit: LimitSpec,
  unitText: string | undefined,
  what: string,
  ctx: ActionCheckContext,
): string[] {
  if (v.dynamic || v.t !== 'num' || !template) return [];
  const unit: Unit | undefined = unitText ? parseUnit(unitText) : undefined;
  const range = rangeIn(v, unit);
  if (!range || (range.hi <= limit.max && range.lo >= limit.min)) return [];
  const u = unitText ? ` ${unitText}` : '';
  const limitText = (x: number): string => `the hard limit ${formatNumber(x)}${u} of ${what}`;
  if (template.kind === 'literal') {
    const x = range.hi > limit.max ? range.hi : range.lo;
    return [
      x > limit.max
        ? `the value reaches ${formatNumber(x)}${u}, above ${limitText(limit.max)}`
        : `the value reaches ${formatNumber(x)}${u}, below ${limitText(limit.min)}`,
    ];
  }
  if (template.kind !== 'expr') return [];
  const node = template.node;
  const direct = node.kind === 'ref' && node.path.length === 2 && node.path[0] === 'inputs';
  const source = direct
    ? (ctx.inputs[node.path[1] as string]?.label ?? `\${${template.source}}`)
    : `\${${template.source.trim()}}`;
  const out: string[] = [];
  if (ctx.probe) {
    const ext = ctx.probe.extremes(node, ctx.loops.values, unit);
    if (!ext) return [];
    const at = (w: { at: string }): string => (direct || w.at === '' ? '' : ` at ${w.at}`);
    if (ext.max.value > limit.max + slack(limit.max))
      out.push(`${source} reaches ${brief(ext.max.value)}${u}${at(ext.max)}, above ${limitText(limit.max)}`);
    if (ext.min.value < limit.min - slack(limit.min))
      out.push(`${source} reaches ${brief(ext.min.value)}${u}${at(ext.min)}, below ${limitText(limit.min)}`);
    return out;
  }
  if (range.hi > limit.max)
    out.push(`${source} can reach ${formatNumber(range.hi)}${u}, above ${limitText(limit.max)}`);
  if (range.lo < limit.min)
    out.push(`${source} can reach ${formatNumber(range.lo)}${u}, below ${limitText(limit.min)}`);
  return out;
}

/** Points on a constraint's boundary are found within rounding; a value that close to a limit does not cross it. */
function slack(limit: number): number {
  return 1e-9 * Math.max(1, Math.abs(limit));
}
