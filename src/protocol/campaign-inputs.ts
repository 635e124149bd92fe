/**
 * The value each protocol input takes in one experiment: the strategy's parameter (in the parameter's unit), else the
 * campaign's fixed value, else the input's default — as an expression value with the input's unit. One function, used
 * by the checks (over the whole search space) and by the executor (for one experiment), so both agree.
 */
import { quantity, Quantity, type Value } from '../common/quantity.js';
import { convert, parseUnit, sameDimension } from '../common/units.js';
import type { ParamValue } from '../optimizers/strategy.port.js';
import type { ParameterSpec } from './campaign.schema.js';
import type { InputSpec } from './protocol.schema.js';

export interface InputSources {
  inputs: Readonly<Record<string, InputSpec>>;
  parameters: Readonly<Record<string, ParameterSpec>>;
  fixed: Readonly<Record<string, unknown>>;
}

export function inputValue(
  s: InputSources,
  name: string,
  params: Readonly<Record<string, ParamValue | boolean>>,
): Value | undefined {
  const input = s.inputs[name];
  if (!input) return undefined;
  const p = s.parameters[name];
  const given = p ? params[name] : undefined;
  if (given !== undefined) {
    const unit = p && p.type !== 'categorical' ? (p.unit ?? input.unit) : input.unit;
    return typeof given === 'number' ? inUnitOf(quantity(given, unit), input.unit) : given;
  }
  const raw = name in s.fixed ? s.fixed[name] : input.default;
  return toValue(raw, input.unit);
}

/** Every input's value for one experiment; inputs without any value are left out. */
export function inputValues(
  s: InputSources,
  params: Readonly<Record<string, ParamValue | boolean>>,
): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const name of Object.keys(s.inputs)) {
    const v = inputValue(s, name, params);
    if (v !== undefined) out[name] = v;
  }
  return out;
}

function toValue(raw: unknown, unit: string | undefined): Value | undefined {
  if (typeof raw === 'number') return quantity(raw, unit);
  if (typeof raw === 'string' || typeof raw === 'boolean') return raw;
  if (Array.isArray(raw)) return (raw as unknown[]).map((x) => toValue(x, unit) ?? String(x));
  return undefined;
}

/** A parameter searched in mL for an input declared in uL reads as uL inside the protocol. */
function inUnitOf(v: number | Quantity, unit: string | undefined): number | Quantity {
  const u = unit ? parseUnit(unit) : undefined;
  if (!(v instanceof Quantity) || !u || v.unit.text === u.text || !sameDimension(v.unit, u)) return v;
  return new Quantity(convert(v.value, v.unit, u), u);
}
