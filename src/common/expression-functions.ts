/**
 * The functions every expression may call. Those that keep a unit (abs, min, max, round, sum, mean …) keep it;
 * exp and log need plain numbers. List functions take one list (`mean(steps.read.result.rate)`).
 */
import {
  applyBinary,
  isList,
  isNumeric,
  Quantity,
  ValueError,
  describeValue,
  type Value,
} from './quantity.js';
import { isDimensionless } from './units.js';

type Fn = (args: readonly Value[]) => Value;

function plain(v: Value | undefined, fn: string): number {
  if (typeof v === 'number') return v;
  if (v instanceof Quantity && isDimensionless(v.unit)) return v.value * v.unit.scale;
  throw new ValueError(`${fn}() needs a plain number, got ${v === undefined ? 'nothing' : describeValue(v)}`);
}

function keepUnit(f: (x: number) => number, fn: string): Fn {
  return ([v]) => {
    if (v instanceof Quantity) return new Quantity(f(v.value), v.unit);
    return f(plain(v, fn));
  };
}

/** One list argument, or the arguments themselves. */
function items(args: readonly Value[], fn: string): readonly Value[] {
  const [first] = args;
  const list = args.length === 1 && first !== undefined && isList(first) ? first : args;
  for (const v of list)
    if (!isNumeric(v)) throw new ValueError(`${fn}() needs numbers, got ${describeValue(v)}`);
  return list;
}

function extreme(fn: 'min' | 'max'): Fn {
  return (args) => {
    const list = items(args, fn);
    if (list.length === 0) throw new ValueError(`${fn}() of nothing`);
    return list.reduce((best, v) => {
      const less = applyBinary('<', v, best) === true;
      return (fn === 'min' ? less : !less && applyBinary('!=', v, best) === true) ? v : best;
    });
  };
}

function sum(args: readonly Value[]): Value {
  const list = items(args, 'sum');
  return list.length === 0 ? 0 : list.reduce((a, b) => applyBinary('+', a, b));
}

function mean(args: readonly Value[]): Value {
  const list = items(args, 'mean');
  if (list.length === 0) throw new ValueError('mean() of an empty list');
  return applyBinary('/', sum(list), list.length);
}

/** Sample standard deviation (n − 1). */
function std(args: readonly Value[]): Value {
  const list = items(args, 'std');
  if (list.length < 2) throw new ValueError('std() needs at least two values');
  const m = mean(list);
  let ss: Value = 0;
  for (const v of list) {
    const d = applyBinary('-', v, m);
    ss = applyBinary('+', ss, applyBinary('*', d, d));
  }
  const variance = applyBinary('/', ss, list.length - 1);
  const value = variance instanceof Quantity ? variance.value : plain(variance, 'std');
  const root = Math.sqrt(value);
  return m instanceof Quantity ? new Quantity(root, m.unit) : root;
}

function range(args: readonly Value[]): Value {
  const [a, b] = args.map((v) => plain(v, 'range'));
  const [from, to] = b === undefined ? [1, a ?? 0] : [a ?? 0, b];
  if (!Number.isInteger(from) || !Number.isInteger(to)) throw new ValueError('range() needs whole numbers');
  if (to - from > 100_000) throw new ValueError('range() longer than 100000');
  const out: number[] = [];
  for (let i = from; i <= to; i++) out.push(i);
  return out;
}

export const FUNCTIONS: Readonly<Record<string, Fn>> = {
  abs: ([v]) => (v instanceof Quantity ? new Quantity(Math.abs(v.value), v.unit) : Math.abs(plain(v, 'abs'))),
  min: extreme('min'),
  max: extreme('max'),
  sqrt: ([v]) => Math.sqrt(plain(v, 'sqrt')),
  exp: ([v]) => Math.exp(plain(v, 'exp')),
  log: ([v]) => Math.log(plain(v, 'log')),
  log10: ([v]) => Math.log10(plain(v, 'log10')),
  round: keepUnit(Math.round, 'round'),
  floor: keepUnit(Math.floor, 'floor'),
  ceil: keepUnit(Math.ceil, 'ceil'),
  sum,
  mean,
  std,
  len: ([v]) => {
    if (v === undefined || !isList(v)) throw new ValueError('len() needs a list');
    return v.length;
  },
  range,
};

/** How many arguments each function takes: [min, max]. */
export const ARITY: Readonly<Record<string, [number, number]>> = {
  abs: [1, 1],
  min: [1, Infinity],
  max: [1, Infinity],
  sqrt: [1, 1],
  exp: [1, 1],
  log: [1, 1],
  log10: [1, 1],
  round: [1, 1],
  floor: [1, 1],
  ceil: [1, 1],
  sum: [1, Infinity],
  mean: [1, Infinity],
  std: [1, Infinity],
  len: [1, 1],
  range: [1, 2],
};
