/**
 * A protocol's inputs: their own checks (units that read, ranges that make sense, defaults of the right type), and
 * what each stands for when a protocol is checked on its own — its min..max when it has both, unknown otherwise.
 */
import { ANY, numRange, type Abstract } from '../common/expression-bounds.js';
import { parseUnit } from '../common/units.js';
import type { Finding } from './lab.checks.js';
import type { InputBinding } from './protocol.checks.js';
import type { InputSpec } from './protocol.schema.js';

export function checkInput(name: string, input: InputSpec): Finding[] {
  const at = ['inputs', name];
  const out: Finding[] = [];
  if (input.unit && !parseUnit(input.unit))
    out.push({ path: [...at, 'unit'], message: `cannot read the unit "${input.unit}"` });
  if (input.min !== undefined && input.max !== undefined && input.min > input.max)
    out.push({ path: [...at, 'max'], message: `expected max >= min (${input.min}), got ${input.max}` });
  if (
    (input.min !== undefined || input.max !== undefined) &&
    input.type !== 'number' &&
    input.type !== 'integer'
  )
    out.push({ path: [...at, 'type'], message: `min and max need a number input, got ${input.type}` });
  if (input.default !== undefined) {
    const problem = valueProblem(input, input.default);
    if (problem) out.push({ path: [...at, 'default'], message: problem });
  }
  return out;
}

export function bindingsFromInputs(inputs: Record<string, InputSpec>): Record<string, InputBinding> {
  const out: Record<string, InputBinding> = {};
  for (const [name, spec] of Object.entries(inputs)) {
    const unit = spec.unit ? parseUnit(spec.unit) : undefined;
    let abstract: Abstract;
    if (spec.type === 'number' || spec.type === 'integer') {
      const bounded = spec.min !== undefined && spec.max !== undefined;
      abstract = numRange(spec.min ?? -Infinity, spec.max ?? Infinity, unit, !bounded);
    } else if (spec.type === 'string') abstract = { t: 'str', dynamic: true };
    else if (spec.type === 'boolean') abstract = { t: 'bool', canTrue: true, canFalse: true, dynamic: true };
    else abstract = { t: 'list', elem: ANY, minLen: 0, maxLen: Infinity, dynamic: true };
    out[name] = { abstract, label: `input ${name} (range ${spec.min ?? '-∞'}..${spec.max ?? '∞'})` };
  }
  return out;
}

/** Why `value` cannot be the value of `input`, if it cannot. */
export function valueProblem(input: InputSpec, value: unknown): string | undefined {
  const got = JSON.stringify(value);
  switch (input.type) {
    case 'number':
    case 'integer':
      if (typeof value !== 'number') return `expected a number, got ${got}`;
      if (input.type === 'integer' && !Number.isInteger(value)) return `expected an integer, got ${got}`;
      if (input.min !== undefined && value < input.min) return `expected at least ${input.min}, got ${got}`;
      if (input.max !== undefined && value > input.max) return `expected at most ${input.max}, got ${got}`;
      return undefined;
    case 'string':
      return typeof value === 'string' ? undefined : `expected text, got ${got}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `expected true or false, got ${got}`;
    case 'list':
      return Array.isArray(value) ? undefined : `expected a list, got ${got}`;
  }
}
