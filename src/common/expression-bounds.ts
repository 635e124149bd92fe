/**
 * Reads an expression without running it: over ranges instead of values (interval arithmetic), with units and
 * types. This is how a validator knows, before anything moves, that `${inputs.volume * 2}` can reach 120 uL over the
 * search space, that `reactor.pressure > 8 degC` compares a pressure with a temperature, or that a condition is
 * false for every point of the search space. Bounds are sound (the true range lies inside), not always tight.
 * Values that only exist at run time (results, readings) are marked `dynamic`.
 */
import { ANY, join, numRange, unitText, type Abstract } from './abstract-value.js';
import type { Node } from './expression.js';
import {
  convert,
  convertDelta,
  isDimensionless,
  multiplyUnits,
  parseUnit,
  powerUnit,
  sameDimension,
  type Unit,
} from './units.js';

export { ANY, describeAbstract, join, numRange, rangeIn, unitText, type Abstract } from './abstract-value.js';

export interface BoundsProblem {
  message: string;
  /** Offset in the expression text (0 when not known). */
  at: number;
}

/** What a reference stands for, or why it cannot be resolved. */
export type AbstractEnv = (path: readonly string[]) => Abstract | { error: string };

export function boundsOf(node: Node, env: AbstractEnv): { value: Abstract; problems: BoundsProblem[] } {
  const problems: BoundsProblem[] = [];
  const value = new Reader(env, problems).read(node);
  return { value, problems };
}

type Num = Extract<Abstract, { t: 'num' }>;
const NUM_ANY = (dynamic: boolean): Num => ({ t: 'num', lo: -Infinity, hi: Infinity, dynamic });

function mulSafe(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : a * b;
}

function hull(values: number[]): [number, number] {
  const finite = values.map((v) => (Number.isNaN(v) ? NaN : v));
  if (finite.some(Number.isNaN)) return [-Infinity, Infinity];
  return [Math.min(...finite), Math.max(...finite)];
}

class Reader {
  constructor(
    private readonly env: AbstractEnv,
    private readonly problems: BoundsProblem[],
  ) {}

  private problem(message: string, at = 0): void {
    this.problems.push({ message, at });
  }

  read(node: Node): Abstract {
    switch (node.kind) {
      case 'num':
        return numRange(node.value, node.value);
      case 'qty':
        return numRange(node.value, node.value, parseUnit(node.unit));
      case 'str':
        return { t: 'str', dynamic: false };
      case 'bool':
        return { t: 'bool', canTrue: node.value, canFalse: !node.value, dynamic: false };
      case 'list': {
        const items = node.items.map((n) => this.read(n));
        return {
          t: 'list',
          elem: items.reduce<Abstract | undefined>((a, b) => (a ? join(a, b) : b), undefined) ?? ANY,
          minLen: items.length,
          maxLen: items.length,
          dynamic: items.some((i) => i.dynamic),
        };
      }
      case 'ref': {
        const v = this.env(node.path);
        if ('error' in v) {
          this.problem(v.error, node.at);
          return ANY;
        }
        return v;
      }
      case 'call':
        return this.call(
          node.fn,
          node.args.map((a) => this.read(a)),
          node.at,
        );
      case 'unary': {
        const a = this.read(node.arg);
        if (node.op === 'not') {
          const b = this.truth(a);
          return { t: 'bool', canTrue: b.canFalse, canFalse: b.canTrue, dynamic: a.dynamic };
        }
        if (a.t === 'list') {
          const e = this.num(a.elem, '-');
          return e ? { ...a, elem: { ...e, lo: -e.hi, hi: -e.lo } } : a;
        }
        const n = this.num(a, '-');
        return n ? { ...n, lo: -n.hi, hi: -n.lo } : ANY;
      }
      case 'convert': {
        const a = this.read(node.arg);
        const to = parseUnit(node.unit);
        const n = this.num(a, 'to');
        if (!n || !to) return ANY;
        if (n.unit && !sameDimension(n.unit, to)) {
          this.problem(`cannot convert ${unitText(n.unit)} to ${unitText(to)}`);
          return { ...NUM_ANY(n.dynamic), unit: to };
        }
        const from = n.unit ?? to;
        return numRange(convert(n.lo, from, to), convert(n.hi, from, to), to, n.dynamic);
      }
      case 'binary':
        return this.binary(node.op, node.left, node.right);
    }
  }

  private truth(a: Abstract): { canTrue: boolean; canFalse: boolean } {
    if (a.t === 'bool') return a;
    if (a.t === 'num') return { canTrue: !(a.lo === 0 && a.hi === 0), canFalse: a.lo <= 0 && a.hi >= 0 };
    return { canTrue: true, canFalse: true };
  }

  private num(a: Abstract, op: string): Num | undefined {
    if (a.t === 'num') return a;
    if (a.t === 'any') return NUM_ANY(a.dynamic);
    this.problem(
      `"${op}" needs numbers, got ${a.t === 'bool' ? 'true or false' : a.t === 'str' ? 'text' : 'a list'}`,
    );
    return undefined;
  }

  private binary(op: string, l: Node, r: Node): Abstract {
    const a = this.read(l);
    const b = this.read(r);
    const dynamic = a.dynamic || b.dynamic;
    if (op === 'and' || op === 'or') {
      const x = this.truth(a);
      const y = this.truth(b);
      return op === 'and'
        ? { t: 'bool', canTrue: x.canTrue && y.canTrue, canFalse: x.canFalse || y.canFalse, dynamic }
        : { t: 'bool', canTrue: x.canTrue || y.canTrue, canFalse: x.canFalse && y.canFalse, dynamic };
    }
    if (op === '+' && (a.t === 'str' || b.t === 'str')) return { t: 'str', dynamic };
    if (['+', '-', '*', '/', '%', '^'].includes(op) && (a.t === 'list' || b.t === 'list'))
      return this.elementwise(op, a, b);
    if (op === '==' || op === '!=') {
      if (a.t === 'num' && b.t === 'num') this.align(a, b, op, true);
      return { t: 'bool', canTrue: true, canFalse: true, dynamic };
    }
    const x = this.num(a, op);
    const y = this.num(b, op);
    if (!x || !y) return op === '<' || op === '<=' || op === '>' || op === '>=' ? boolAny(dynamic) : ANY;
    switch (op) {
      case '<':
      case '<=':
      case '>':
      case '>=':
        return this.compare(op, x, y);
      case '+':
      case '-': {
        const [p, q, unit] = this.align(x, y, op, false);
        return op === '+'
          ? numRange(p.lo + q.lo, p.hi + q.hi, unit, dynamic)
          : numRange(p.lo - q.hi, p.hi - q.lo, unit, dynamic);
      }
      case '%': {
        const [p, q, unit] = this.align(x, y, op, false);
        const m = Math.max(Math.abs(q.lo), Math.abs(q.hi));
        return p.lo >= 0 ? numRange(0, Math.min(p.hi, m), unit, dynamic) : numRange(-m, m, unit, dynamic);
      }
      case '*':
        return this.product(x, y, 1);
      case '/':
        return this.product(x, y, -1);
      case '^':
        return this.power(x, y);
      default:
        return ANY;
    }
  }

  /** Arithmetic on lists, element by element: the element's range, over lists as long as the operands. */
  private elementwise(op: string, a: Abstract, b: Abstract): Abstract {
    const dynamic = a.dynamic || b.dynamic;
    const elem = (x: Abstract): Abstract => (x.t === 'list' ? x.elem : x);
    const value = this.combineElements(op, elem(a), elem(b));
    const lists = [a, b].filter((x): x is Extract<Abstract, { t: 'list' }> => x.t === 'list');
    return {
      t: 'list',
      elem: value,
      minLen: Math.max(...lists.map((l) => l.minLen)),
      maxLen: Math.min(...lists.map((l) => l.maxLen)),
      dynamic,
    };
  }

  private combineElements(op: string, a: Abstract, b: Abstract): Abstract {
    const x = this.num(a, op);
    const y = this.num(b, op);
    if (!x || !y) return ANY;
    switch (op) {
      case '+':
      case '-': {
        const [p, q, unit] = this.align(x, y, op, false);
        const dynamic = x.dynamic || y.dynamic;
        return op === '+'
          ? numRange(p.lo + q.lo, p.hi + q.hi, unit, dynamic)
          : numRange(p.lo - q.hi, p.hi - q.lo, unit, dynamic);
      }
      case '*':
        return this.product(x, y, 1);
      case '/':
        return this.product(x, y, -1);
      case '^':
        return this.power(x, y);
      default:
        return numRange(-Infinity, Infinity, x.unit, x.dynamic || y.dynamic);
    }
  }

  /** The right side in the left side's unit; a plain number takes the other side's unit. */
  private align(a: Num, b: Num, op: string, absolute: boolean): [Num, Num, Unit | undefined] {
    if (a.unit && b.unit) {
      if (!sameDimension(a.unit, b.unit)) {
        this.problem(`"${op}" cannot combine ${unitText(a.unit)} with ${unitText(b.unit)}`);
        return [a, NUM_ANY(b.dynamic), a.unit];
      }
      const c = absolute ? convert : convertDelta;
      const lo = c(b.lo, b.unit, a.unit);
      const hi = c(b.hi, b.unit, a.unit);
      return [a, { ...b, lo: Math.min(lo, hi), hi: Math.max(lo, hi), unit: a.unit }, a.unit];
    }
    return [a, b, a.unit ?? b.unit];
  }

  private compare(op: string, a: Num, b: Num): Abstract {
    const [x, y] = this.align(a, b, op, true);
    const dynamic = a.dynamic || b.dynamic;
    switch (op) {
      case '<':
        return { t: 'bool', canTrue: x.lo < y.hi, canFalse: x.hi >= y.lo, dynamic };
      case '<=':
        return { t: 'bool', canTrue: x.lo <= y.hi, canFalse: x.hi > y.lo, dynamic };
      case '>':
        return { t: 'bool', canTrue: x.hi > y.lo, canFalse: x.lo <= y.hi, dynamic };
      default:
        return { t: 'bool', canTrue: x.hi >= y.lo, canFalse: x.lo < y.hi, dynamic };
    }
  }

  private product(a: Num, b: Num, power: 1 | -1): Abstract {
    const dynamic = a.dynamic || b.dynamic;
    let unit: Unit | undefined;
    let scale = 1;
    if (a.unit && b.unit) {
      unit = multiplyUnits(a.unit, b.unit, power);
      if (isDimensionless(unit)) {
        scale = unit.scale;
        unit = undefined;
      }
    } else if (a.unit) unit = a.unit;
    else if (b.unit) unit = power === 1 ? b.unit : multiplyUnits(parseUnit('') as Unit, b.unit, -1);
    let lo: number;
    let hi: number;
    if (power === 1) {
      [lo, hi] = hull([mulSafe(a.lo, b.lo), mulSafe(a.lo, b.hi), mulSafe(a.hi, b.lo), mulSafe(a.hi, b.hi)]);
    } else if (b.lo <= 0 && b.hi >= 0) {
      [lo, hi] = [-Infinity, Infinity];
    } else {
      [lo, hi] = hull([a.lo / b.lo, a.lo / b.hi, a.hi / b.lo, a.hi / b.hi]);
    }
    return numRange(lo * scale, hi * scale, unit, dynamic);
  }

  private power(a: Num, b: Num): Abstract {
    const dynamic = a.dynamic || b.dynamic;
    const point = b.lo === b.hi ? b.lo : undefined;
    if (a.unit && (point === undefined || !Number.isInteger(point))) {
      this.problem(`a quantity (${a.unit.text}) can only be raised to a whole power`);
      return ANY;
    }
    const unit = a.unit && point !== undefined ? powerUnit(a.unit, point) : undefined;
    if (point !== undefined && Number.isInteger(point)) {
      const ends = [a.lo ** point, a.hi ** point];
      if (point < 0 && a.lo <= 0 && a.hi >= 0) return numRange(-Infinity, Infinity, unit, dynamic);
      const [lo, hi] = hull(ends);
      const crossesZero = a.lo < 0 && a.hi > 0 && point % 2 === 0 && point > 0;
      return numRange(crossesZero ? 0 : lo, hi, unit, dynamic);
    }
    if (a.lo > 0)
      return numRange(...hull([a.lo ** b.lo, a.lo ** b.hi, a.hi ** b.lo, a.hi ** b.hi]), undefined, dynamic);
    return numRange(-Infinity, Infinity, undefined, dynamic);
  }

  private call(fn: string, args: Abstract[], at: number): Abstract {
    const dynamic = args.some((a) => a.dynamic);
    const [first] = args;
    const list = args.length === 1 && first?.t === 'list' ? first : undefined;
    const elems = list ? [list.elem] : args;
    switch (fn) {
      case 'abs': {
        const n = first && this.num(first, fn);
        if (!n) return ANY;
        const lo = n.lo <= 0 && n.hi >= 0 ? 0 : Math.min(Math.abs(n.lo), Math.abs(n.hi));
        return numRange(lo, Math.max(Math.abs(n.lo), Math.abs(n.hi)), n.unit, dynamic);
      }
      case 'min':
      case 'max':
      case 'mean': {
        const nums = elems.map((e) => this.num(e, fn));
        if (nums.some((n) => !n)) return ANY;
        const [head, ...rest] = nums as Num[];
        if (!head) return ANY;
        let acc: Num = head;
        for (const n of rest) {
          const [p, q, unit] = this.align(acc, n, fn, true);
          acc =
            fn === 'min'
              ? { t: 'num', lo: Math.min(p.lo, q.lo), hi: Math.min(p.hi, q.hi), unit, dynamic }
              : fn === 'max'
                ? { t: 'num', lo: Math.max(p.lo, q.lo), hi: Math.max(p.hi, q.hi), unit, dynamic }
                : { t: 'num', lo: Math.min(p.lo, q.lo), hi: Math.max(p.hi, q.hi), unit, dynamic };
        }
        return { ...acc, dynamic };
      }
      case 'sum': {
        if (!list) return args.reduce<Abstract>((acc, a) => (acc.t === 'any' ? a : acc), ANY);
        const n = this.num(list.elem, fn);
        if (!n) return ANY;
        const [lo, hi] = hull([
          mulSafe(n.lo, list.minLen),
          mulSafe(n.lo, list.maxLen),
          mulSafe(n.hi, list.minLen),
          mulSafe(n.hi, list.maxLen),
        ]);
        return numRange(Math.min(lo, 0), Math.max(hi, 0), n.unit, dynamic);
      }
      case 'std': {
        const n = first && (list ? this.num(list.elem, fn) : this.num(first, fn));
        return n ? numRange(0, n.hi - n.lo, n.unit, dynamic) : ANY;
      }
      case 'len':
        return list
          ? numRange(list.minLen, list.maxLen, undefined, dynamic)
          : numRange(0, Infinity, undefined, dynamic);
      case 'range': {
        const [a, b] = args.map((x) => this.num(x, fn));
        const from = b ? a : numRange(1, 1);
        const to = b ?? a;
        if (!from || !to || from.t !== 'num' || to.t !== 'num') return ANY;
        const maxLen = Math.max(0, to.hi - from.lo + 1);
        return {
          t: 'list',
          elem: numRange(from.lo, to.hi),
          minLen: Math.max(0, to.lo - from.hi + 1),
          maxLen,
          dynamic,
        };
      }
      case 'sqrt':
      case 'exp':
      case 'log':
      case 'log10':
      case 'round':
      case 'floor':
      case 'ceil': {
        const n = first && this.num(first, fn);
        if (!n) return ANY;
        const keeps = fn === 'round' || fn === 'floor' || fn === 'ceil';
        if (n.unit && !keeps) {
          this.problem(`${fn}() needs a plain number, got ${unitText(n.unit)}`, at);
          return ANY;
        }
        const f = {
          sqrt: Math.sqrt,
          exp: Math.exp,
          log: Math.log,
          log10: Math.log10,
          round: Math.round,
          floor: Math.floor,
          ceil: Math.ceil,
        }[fn];
        const lo = f(n.lo);
        const hi = f(n.hi);
        if (Number.isNaN(lo) || Number.isNaN(hi)) return numRange(-Infinity, Infinity, undefined, dynamic);
        return numRange(lo, hi, keeps ? n.unit : undefined, dynamic);
      }
      default:
        return ANY;
    }
  }
}

function boolAny(dynamic: boolean): Abstract {
  return { t: 'bool', canTrue: true, canFalse: true, dynamic };
}
