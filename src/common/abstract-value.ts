/**
 * Abstract values: what an expression can be before it runs — a number range with its unit, true/false/either, text,
 * a list, or anything — and whether it is known only at run time (`dynamic`).
 */
import { convert, describeDimension, isDimensionless, sameDimension, type Unit } from './units.js';

export type Abstract =
  | { t: 'num'; lo: number; hi: number; unit?: Unit; dynamic: boolean }
  | { t: 'bool'; canTrue: boolean; canFalse: boolean; dynamic: boolean }
  | { t: 'str'; dynamic: boolean }
  | { t: 'list'; elem: Abstract; minLen: number; maxLen: number; dynamic: boolean }
  | { t: 'any'; dynamic: boolean };

export const ANY: Abstract = { t: 'any', dynamic: true };

export function numRange(lo: number, hi: number, unit?: Unit, dynamic = false): Abstract {
  return unit && !isDimensionless(unit) ? { t: 'num', lo, hi, unit, dynamic } : { t: 'num', lo, hi, dynamic };
}

export function unitText(u: Unit | undefined): string {
  return u ? `${describeDimension(u)} (${u.text})` : 'a plain number';
}

/** The smallest abstract value covering both. */
export function join(a: Abstract, b: Abstract): Abstract {
  const dynamic = a.dynamic || b.dynamic;
  if (a.t === 'num' && b.t === 'num') {
    if (a.unit && b.unit && !sameDimension(a.unit, b.unit)) return { t: 'any', dynamic };
    if (a.unit && b.unit) {
      const lo = convert(b.lo, b.unit, a.unit);
      const hi = convert(b.hi, b.unit, a.unit);
      return numRange(Math.min(a.lo, lo), Math.max(a.hi, hi), a.unit, dynamic);
    }
    return numRange(Math.min(a.lo, b.lo), Math.max(a.hi, b.hi), a.unit ?? b.unit, dynamic);
  }
  if (a.t === 'bool' && b.t === 'bool')
    return { t: 'bool', canTrue: a.canTrue || b.canTrue, canFalse: a.canFalse || b.canFalse, dynamic };
  if (a.t === 'str' && b.t === 'str') return { t: 'str', dynamic };
  if (a.t === 'list' && b.t === 'list')
    return {
      t: 'list',
      elem: join(a.elem, b.elem),
      minLen: Math.min(a.minLen, b.minLen),
      maxLen: Math.max(a.maxLen, b.maxLen),
      dynamic,
    };
  return { t: 'any', dynamic };
}

/** The abstract value's numeric range in `unit` (undefined when not numeric or not convertible). */
export function rangeIn(a: Abstract, unit: Unit | undefined): { lo: number; hi: number } | undefined {
  if (a.t !== 'num') return undefined;
  if (!a.unit || !unit) return { lo: a.lo, hi: a.hi };
  if (!sameDimension(a.unit, unit)) return undefined;
  const lo = convert(a.lo, a.unit, unit);
  const hi = convert(a.hi, a.unit, unit);
  return { lo: Math.min(lo, hi), hi: Math.max(lo, hi) };
}

export function describeAbstract(a: Abstract): string {
  switch (a.t) {
    case 'num':
      return a.unit ? unitText(a.unit) : 'a number';
    case 'bool':
      return 'true or false';
    case 'str':
      return 'text';
    case 'list':
      return 'a list';
    case 'any':
      return 'a value';
  }
}
