/**
 * The values expressions compute with: numbers, text, booleans, lists, and quantities (a number with a unit).
 * Arithmetic on quantities converts units (`1 mL + 500 uL` is `1.5 mL`) and refuses to mix dimensions (`5 mL + 2 s`).
 * A plain number next to a quantity is read in that quantity's unit, as a lab engineer writes `temperature > 30`.
 */
import {
  convert,
  convertDelta,
  describeDimension,
  isDimensionless,
  multiplyUnits,
  parseUnit,
  powerUnit,
  sameDimension,
  type Unit,
} from './units.js';

export class Quantity {
  constructor(
    readonly value: number,
    readonly unit: Unit,
  ) {}

  toString(): string {
    return `${formatNumber(this.value)} ${this.unit.text}`;
  }
}

export type Value = number | string | boolean | Quantity | readonly Value[];

/** Raised by an operation that cannot apply to its values; the evaluator adds where it happened. */
export class ValueError extends Error {}

/** A number with its unit when `unit` is given and known; the bare number otherwise. */
export function quantity(value: number, unit: string | undefined): number | Quantity {
  const u = unit === undefined ? undefined : parseUnit(unit);
  return u && !isDimensionless(u) ? new Quantity(value, u) : value;
}

export function isQuantity(v: unknown): v is Quantity {
  return v instanceof Quantity;
}

export function isList(v: Value): v is readonly Value[] {
  return Array.isArray(v);
}

export function isNumeric(v: Value): v is number | Quantity {
  return typeof v === 'number' || v instanceof Quantity;
}

/** The number of a value in `unit` (a plain number is taken as already in it). */
export function toNumberIn(v: Value, unit: Unit | undefined, what: string): number {
  if (typeof v === 'number') return v;
  if (v instanceof Quantity) {
    if (!unit) {
      if (isDimensionless(v.unit)) return v.value * v.unit.scale;
      return v.value;
    }
    if (!sameDimension(v.unit, unit))
      throw new ValueError(
        `${what}: expected ${describeDimension(unit)} (${unit.text}), got ${describeDimension(v.unit)} (${v.unit.text})`,
      );
    return convert(v.value, v.unit, unit);
  }
  throw new ValueError(`${what}: expected a number, got ${describeValue(v)}`);
}

export function convertValue(v: Value, unit: Unit): Quantity {
  if (typeof v === 'number') return new Quantity(v, unit);
  if (v instanceof Quantity) return new Quantity(toNumberIn(v, unit, 'conversion'), unit);
  throw new ValueError(`cannot convert ${describeValue(v)} to ${unit.text}`);
}

function num(v: Value, op: string): number {
  if (typeof v === 'number') return v;
  if (v instanceof Quantity && isDimensionless(v.unit)) return v.value * v.unit.scale;
  throw new ValueError(`"${op}" needs numbers, got ${describeValue(v)}`);
}

/** The right-hand side in the left-hand side's unit, for + - % and comparisons. */
function aligned(a: Value, b: Value, op: string): [number, number, Unit | undefined] {
  if (a instanceof Quantity && b instanceof Quantity) {
    if (!sameDimension(a.unit, b.unit))
      throw new ValueError(
        `"${op}" cannot combine ${describeDimension(a.unit)} (${a.unit.text}) with ${describeDimension(b.unit)} (${b.unit.text})`,
      );
    const comparison = ['<', '<=', '>', '>=', '==', '!='].includes(op);
    const right = comparison ? convert(b.value, b.unit, a.unit) : convertDelta(b.value, b.unit, a.unit);
    return [a.value, right, a.unit];
  }
  if (a instanceof Quantity) return [a.value, num(b, op), a.unit];
  if (b instanceof Quantity) return [num(a, op), b.value, b.unit];
  return [num(a, op), num(b, op), undefined];
}

function wrap(value: number, unit: Unit | undefined): number | Quantity {
  return unit ? new Quantity(value, unit) : value;
}

const ELEMENTWISE = new Set(['+', '-', '*', '/', '%', '^']);

export function applyBinary(op: string, a: Value, b: Value): Value {
  // Arithmetic on lists is element by element (`steps.read.result.rate - steps.blank.result.rate`).
  if (
    ELEMENTWISE.has(op) &&
    (isList(a) || isList(b)) &&
    !(op === '+' && (typeof a === 'string' || typeof b === 'string'))
  ) {
    if (isList(a) && isList(b)) {
      if (a.length !== b.length)
        throw new ValueError(`"${op}" needs lists of the same length, got ${a.length} and ${b.length}`);
      return a.map((x, i) => applyBinary(op, x, b[i] as Value));
    }
    return isList(a)
      ? a.map((x) => applyBinary(op, x, b))
      : (b as readonly Value[]).map((y) => applyBinary(op, a, y));
  }
  switch (op) {
    case '+': {
      if (typeof a === 'string' || typeof b === 'string') return `${formatValue(a)}${formatValue(b)}`;
      const [x, y, u] = aligned(a, b, op);
      return wrap(x + y, u);
    }
    case '-': {
      const [x, y, u] = aligned(a, b, op);
      return wrap(x - y, u);
    }
    case '%': {
      const [x, y, u] = aligned(a, b, op);
      return wrap(x % y, u);
    }
    case '*':
      return product(a, b, 1);
    case '/':
      return product(a, b, -1);
    case '^': {
      const e = num(b, op);
      if (a instanceof Quantity) {
        if (!Number.isInteger(e))
          throw new ValueError(`a quantity (${a.unit.text}) can only be raised to a whole power`);
        return simplify(new Quantity(a.value ** e, powerUnit(a.unit, e)));
      }
      return num(a, op) ** e;
    }
    case '==':
      return equals(a, b);
    case '!=':
      return !equals(a, b);
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const [x, y] = aligned(a, b, op);
      return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
    }
    default:
      throw new ValueError(`unknown operator ${op}`);
  }
}

function product(a: Value, b: Value, power: 1 | -1): Value {
  const op = power === 1 ? '*' : '/';
  if (a instanceof Quantity && b instanceof Quantity) {
    const unit = multiplyUnits(a.unit, b.unit, power);
    return simplify(new Quantity(power === 1 ? a.value * b.value : a.value / b.value, unit));
  }
  if (a instanceof Quantity) {
    const y = num(b, op);
    return new Quantity(power === 1 ? a.value * y : a.value / y, a.unit);
  }
  if (b instanceof Quantity) {
    const x = num(a, op);
    return power === 1
      ? new Quantity(x * b.value, b.unit)
      : simplify(new Quantity(x / b.value, multiplyUnits(parseUnit('') as Unit, b.unit, -1)));
  }
  return power === 1 ? num(a, op) * num(b, op) : num(a, op) / num(b, op);
}

/** mL/L is a plain number (0.001): units that cancel leave their scale behind. */
function simplify(q: Quantity): number | Quantity {
  return isDimensionless(q.unit) ? q.value * q.unit.scale : q;
}

export function negate(v: Value): Value {
  if (v instanceof Quantity) return new Quantity(-v.value, v.unit);
  if (isList(v)) return v.map(negate);
  return -num(v, '-');
}

export function equals(a: Value, b: Value): boolean {
  if (isNumeric(a) && isNumeric(b)) {
    try {
      const [x, y] = aligned(a, b, '==');
      return x === y;
    } catch {
      return false;
    }
  }
  if (isList(a) && isList(b)) return a.length === b.length && a.every((x, i) => equals(x, b[i] as Value));
  return a === b;
}

export function truthy(v: Value): boolean {
  if (v instanceof Quantity) return v.value !== 0;
  if (isList(v)) return v.length > 0;
  return v !== false && v !== 0 && v !== '';
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(12)));
}

/** How a value reads inside text (`"well ${well}"`) and in messages. */
/** Whether something from outside (a strategy, an API call) is a value expressions can use. */
export function isValue(v: unknown): v is Value {
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return true;
  if (v instanceof Quantity) return true;
  return Array.isArray(v) && v.every(isValue);
}

export function formatValue(v: Value): string {
  if (typeof v === 'number') return formatNumber(v);
  if (v instanceof Quantity) return v.toString();
  if (isList(v)) return `[${v.map(formatValue).join(', ')}]`;
  return String(v);
}

export function describeValue(v: Value): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (isList(v)) return `a list of ${v.length}`;
  return formatValue(v);
}

/** A value as plain JSON for storage and instruments: quantities become their number, in their own unit. */
export function toPlain(v: Value): number | string | boolean | unknown[] {
  if (v instanceof Quantity) return v.value;
  if (isList(v)) return v.map(toPlain);
  return v;
}
