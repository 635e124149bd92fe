/**
 * The one choke point for values sent to instruments. Every command, whoever produced it (strategy, protocol
 * expression, API, manual action), passes `guardCommand` right before its driver: types are checked and every
 * number must lie inside the effective hard limit — the lab file's limit intersected with what the instrument
 * describes — in the unit both agree on. Nothing outside it ever reaches a driver.
 */
import { describeValue } from '../common/schema-messages.js';
import type { InstrumentSpec } from '../protocol/lab.schema.js';
import { limitFor } from '../protocol/lab.checks.js';
import type { CommandError, InstrumentDescription, ValueSpec } from './instrument-driver.port.js';

export type GuardResult = { ok: true; params: Record<string, unknown> } | { ok: false; error: CommandError };

export interface EffectiveLimit {
  min: number;
  max: number;
}

/** The lab limit narrowed by the instrument's own description; undefined when they do not overlap. */
export function effectiveLimit(
  spec: InstrumentSpec,
  described: InstrumentDescription | undefined,
  action: string,
  param: string,
): EffectiveLimit | undefined {
  const lab = limitFor(spec, action, param);
  if (!lab) return undefined;
  const d = described?.actions[action]?.params[param];
  const min = Math.max(lab.min, d?.min ?? -Infinity);
  const max = Math.min(lab.max, d?.max ?? Infinity);
  return min <= max ? { min, max } : undefined;
}

export function guardCommand(
  id: string,
  spec: InstrumentSpec,
  described: InstrumentDescription | undefined,
  action: string,
  params: Readonly<Record<string, unknown>>,
): GuardResult {
  const fail = (code: string, message: string): GuardResult => ({ ok: false, error: { code, message } });
  const declared = spec.actions[action];
  if (!declared) return fail('UNKNOWN_ACTION', `${id} has no action "${action}"`);
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(params)) {
    if (!declared.params[name]) return fail('BAD_PARAMETER', `${id}.${action} has no parameter "${name}"`);
  }
  for (const [name, p] of Object.entries(declared.params)) {
    const where = `${id}.${action}.${name}`;
    const value = params[name];
    if (value === undefined) return fail('BAD_PARAMETER', `${where} is missing`);
    const typeProblem = checkType(p, value);
    if (typeProblem) return fail('BAD_PARAMETER', `${where}: ${typeProblem}, got ${describeValue(value)}`);
    if (p.type === 'number' || p.type === 'integer') {
      const v = Object.is(value, -0) ? 0 : (value as number);
      // A number means nothing without its unit: the lab file and the instrument must agree on it.
      const theirs = described?.actions[action]?.params[name]?.unit;
      if (p.unit && theirs && theirs !== p.unit)
        return fail(
          'UNIT_MISMATCH',
          `${where}: the lab file gives it in ${p.unit}, the instrument expects ${theirs}; refusing to send it`,
        );
      const labLimit = limitFor(spec, action, name);
      if (!labLimit)
        return fail('LIMIT_EXCEEDED', `${where} has no hard limit in the lab file; refusing to send it`);
      const limit = effectiveLimit(spec, described, action, name);
      if (!limit)
        return fail(
          'LIMIT_EXCEEDED',
          `${where}: the lab file's limit [${labLimit.min}, ${labLimit.max}] and the instrument's own range do not overlap`,
        );
      if (v < limit.min || v > limit.max) {
        return fail(
          'LIMIT_EXCEEDED',
          `${where} = ${v} is outside the hard limit [${limit.min}, ${limit.max}]${p.unit ? ` ${p.unit}` : ''}`,
        );
      }
      out[name] = v;
    } else {
      out[name] = value;
    }
  }
  return { ok: true, params: out };
}

function checkType(p: Pick<ValueSpec, 'type' | 'enum'>, value: unknown): string | undefined {
  switch (p.type) {
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'expected a finite number';
      break;
    case 'integer':
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'expected an integer';
      break;
    case 'string':
      if (typeof value !== 'string') return 'expected a string';
      break;
    case 'boolean':
      if (typeof value !== 'boolean') return 'expected true or false';
      break;
  }
  if (p.enum && !p.enum.includes(value as string | number)) return `expected one of ${p.enum.join(', ')}`;
  return undefined;
}
