/** The abstract values (ranges, units, types) of specs and literals, and how they read in messages. */
import { ANY, numRange, type Abstract } from '../common/expression-bounds.js';
import { Quantity } from '../common/quantity.js';
import { parseUnit } from '../common/units.js';

export function valueOfSpec(spec: { type: string; unit?: string }): Abstract {
  if (spec.type === 'number' || spec.type === 'integer')
    return numRange(-Infinity, Infinity, spec.unit ? parseUnit(spec.unit) : undefined, true);
  if (spec.type === 'string') return { t: 'str', dynamic: true };
  if (spec.type === 'boolean') return { t: 'bool', canTrue: true, canFalse: true, dynamic: true };
  return ANY;
}

export function literal(v: unknown): Abstract {
  if (typeof v === 'number') return numRange(v, v);
  if (v instanceof Quantity) return numRange(v.value, v.value, v.unit);
  if (typeof v === 'string') return { t: 'str', dynamic: false };
  if (typeof v === 'boolean') return { t: 'bool', canTrue: v, canFalse: !v, dynamic: false };
  if (Array.isArray(v)) {
    const elem = (v as unknown[]).reduce<Abstract | undefined>((a, x) => joinLiteral(a, x), undefined) ?? ANY;
    return { t: 'list', elem, minLen: v.length, maxLen: v.length, dynamic: false };
  }
  return ANY;
}

export function joinLiteral(a: Abstract | undefined, x: unknown): Abstract {
  const b = literal(x);
  if (!a) return b;
  if (a.t === 'num' && b.t === 'num') return numRange(Math.min(a.lo, b.lo), Math.max(a.hi, b.hi));
  return a.t === b.t ? a : ANY;
}

/** How an abstract value reads in messages (the one in common/abstract-value.ts). */
export { describeAbstract as describe } from '../common/expression-bounds.js';
