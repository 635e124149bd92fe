/**
 * Checks on a lab file beyond its schema: every numeric parameter has a hard limit in its own unit, limits name real
 * parameters, units can be read, and interlocks watch readings that exist, with units that compare.
 */
import { boundsOf, type Abstract } from '../common/expression-bounds.js';
import { checkOpcuaInstrument } from '../../drivers/opcua/opcua.lab-checks.js';
import type { PathKey } from '../common/schema-messages.js';
import { didYouMean } from '../common/suggest.js';
import { convert, parseUnit, sameDimension } from '../common/units.js';
import { valueOfSpec } from './abstract-values.js';
import { parseInterlock } from './interlock.js';
import type { ActionSpec, InstrumentSpec, LabSpec, LimitSpec } from './lab.schema.js';

export interface Finding {
  path: PathKey[];
  message: string;
  atKey?: boolean;
}

/** The hard limit that applies to one parameter of one action, if any. */
export function limitFor(instrument: InstrumentSpec, action: string, param: string): LimitSpec | undefined {
  return instrument.limits[`${action}.${param}`] ?? instrument.limits[param];
}

export function checkLab(lab: LabSpec): Finding[] {
  const out: Finding[] = [];
  for (const [id, inst] of Object.entries(lab.instruments)) {
    if (inst.driver === 'mqtt' && inst.broker !== 'default' && !lab.brokers[inst.broker]) {
      out.push({ path: ['instruments', id, 'broker'], message: `no broker "${inst.broker}" in brokers` });
    }
    if (inst.driver === 'opcua') out.push(...checkOpcuaInstrument(id, inst));
    for (const [actionName, action] of Object.entries(inst.actions)) {
      out.push(...checkActionLimits(id, inst, actionName, action));
    }
    out.push(...checkUnits(id, inst));
    for (const key of Object.keys(inst.limits)) {
      if (!limitNamesParameter(inst, key)) {
        out.push({
          path: ['instruments', id, 'limits', key],
          message: `no action has a numeric parameter "${key}"; write a parameter name or action.parameter`,
          atKey: true,
        });
      }
    }
  }
  lab.interlocks.forEach((il, i) => out.push(...checkInterlock(lab, il.when, ['interlocks', i, 'when'])));
  const names = new Set<string>();
  lab.interlocks.forEach((il, i) => {
    const n = il.name ?? `interlock-${i + 1}`;
    if (names.has(n))
      out.push({ path: ['interlocks', i, 'name'], message: `another interlock is already named "${n}"` });
    names.add(n);
  });
  return out;
}

function checkUnits(id: string, inst: InstrumentSpec): Finding[] {
  const out: Finding[] = [];
  const check = (unit: string | undefined, path: PathKey[]): void => {
    if (unit !== undefined && !parseUnit(unit))
      out.push({
        path: [...path, 'unit'],
        message: `cannot read the unit "${unit}"; write e.g. uL, mL/min, degC, mM`,
      });
  };
  for (const [a, action] of Object.entries(inst.actions)) {
    for (const [p, spec] of Object.entries(action.params))
      check(spec.unit, ['instruments', id, 'actions', a, 'params', p]);
    for (const [r, spec] of Object.entries(action.result))
      check(spec.unit, ['instruments', id, 'actions', a, 'result', r]);
  }
  for (const [r, spec] of Object.entries(inst.readings)) check(spec.unit, ['instruments', id, 'readings', r]);
  for (const [l, spec] of Object.entries(inst.limits)) check(spec.unit, ['instruments', id, 'limits', l]);
  return out;
}

function checkInterlock(lab: LabSpec, text: string, path: PathKey[]): Finding[] {
  const parsed = parseInterlock(text);
  if (!parsed.ok) return [{ path, message: parsed.message }];
  const out: Finding[] = [];
  const env = (p: readonly string[]): Abstract | { error: string } => {
    const [instrument, reading, ...rest] = p;
    const inst = instrument === undefined ? undefined : lab.instruments[instrument];
    if (!inst || reading === undefined || rest.length > 0)
      return {
        error: `expected instrument.reading, got "${p.join('.')}"${instrument && !inst ? didYouMean(instrument, Object.keys(lab.instruments)) : ''}`,
      };
    const spec = inst.readings[reading];
    if (!spec)
      return {
        error: `${instrument} has no reading "${reading}"${didYouMean(reading, Object.keys(inst.readings))}`,
      };
    return valueOfSpec(spec);
  };
  const { value, problems } = boundsOf(parsed.interlock.condition, env);
  for (const p of problems) out.push({ path, message: p.message });
  if (problems.length === 0 && value.t !== 'bool' && value.t !== 'any')
    out.push({ path, message: 'expected a condition such as reactor.pressure > 8 bar' });
  else if (problems.length === 0 && !value.dynamic)
    out.push({ path, message: 'the condition reads no instrument' });
  return out;
}

function checkActionLimits(
  id: string,
  inst: InstrumentSpec,
  actionName: string,
  action: ActionSpec,
): Finding[] {
  const out: Finding[] = [];
  for (const [param, spec] of Object.entries(action.params)) {
    if (spec.type !== 'number' && spec.type !== 'integer') continue;
    const limit = limitFor(inst, actionName, param);
    const path = ['instruments', id, 'actions', actionName, 'params', param];
    if (!limit) {
      out.push({
        path,
        message: `no hard limit; add limits: { ${param}: { min: …, max: … } } to the instrument`,
      });
    } else if (limit.unit && spec.unit && limit.unit !== spec.unit) {
      const lu = parseUnit(limit.unit);
      const pu = parseUnit(spec.unit);
      const hint =
        lu && pu && sameDimension(lu, pu)
          ? `; write the limit in ${spec.unit}: { min: ${round(convert(limit.min, lu, pu))}, max: ${round(convert(limit.max, lu, pu))} }`
          : '';
      out.push({ path, message: `unit ${spec.unit} does not match the limit's unit ${limit.unit}${hint}` });
    }
  }
  return out;
}

function limitNamesParameter(inst: InstrumentSpec, key: string): boolean {
  const [first, second] = key.split('.');
  const numeric = (a: ActionSpec, p: string): boolean => {
    const t = a.params[p]?.type;
    return t === 'number' || t === 'integer';
  };
  if (second !== undefined) {
    const action = inst.actions[first ?? ''];
    return action !== undefined && numeric(action, second);
  }
  return Object.values(inst.actions).some((a) => numeric(a, key));
}

function round(x: number): number {
  return Number(x.toPrecision(10));
}
