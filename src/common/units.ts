/**
 * Units of measure as lab files write them (`uL`, `mL/min`, `degC`, `uM/min`, `bar`), parsed into a dimension
 * vector and a scale to SI, so values convert (`mL` → `uL`, `min` → `s`) and incompatible ones are caught before
 * anything moves. Unknown names (`OD`, `RFU`, `cells`) are their own dimension: they compare and convert only with
 * themselves. Temperatures carry an offset; inside a compound unit (`degC/min`) they count as differences.
 */

export interface Unit {
  /** As written (normalized spacing), for messages. */
  readonly text: string;
  /** Exponent per base dimension: m, kg, s, mol, K, A, or an unknown unit's own name. */
  readonly dims: Readonly<Record<string, number>>;
  /** Value in SI base units = value · scale + offset. */
  readonly scale: number;
  readonly offset: number;
}

interface Atom {
  dims: Record<string, number>;
  scale: number;
  offset?: number;
}

const L = { m: 3 };
const CONC = { mol: 1, m: -3 };
const PRESSURE = { kg: 1, m: -1, s: -2 };

function family(
  base: Record<string, number>,
  prefixes: Record<string, number>,
  name: string,
): [string, Atom][] {
  return Object.entries(prefixes).map(([p, f]) => [`${p}${name}`, { dims: base, scale: f }]);
}

const SI = { '': 1, m: 1e-3, u: 1e-6, µ: 1e-6, n: 1e-9, p: 1e-12 };

const ATOMS: Record<string, Atom> = Object.fromEntries([
  ['s', { dims: { s: 1 }, scale: 1 }],
  ['sec', { dims: { s: 1 }, scale: 1 }],
  ['ms', { dims: { s: 1 }, scale: 1e-3 }],
  ['us', { dims: { s: 1 }, scale: 1e-6 }],
  ['min', { dims: { s: 1 }, scale: 60 }],
  ['h', { dims: { s: 1 }, scale: 3600 }],
  ['d', { dims: { s: 1 }, scale: 86400 }],
  ['m', { dims: { m: 1 }, scale: 1 }],
  ['cm', { dims: { m: 1 }, scale: 1e-2 }],
  ['mm', { dims: { m: 1 }, scale: 1e-3 }],
  ['um', { dims: { m: 1 }, scale: 1e-6 }],
  ['nm', { dims: { m: 1 }, scale: 1e-9 }],
  ...family(L, { L: 1e-3, mL: 1e-6, uL: 1e-9, µL: 1e-9, nL: 1e-12, pL: 1e-15 }, ''),
  ...family({ kg: 1 }, { kg: 1, g: 1e-3, mg: 1e-6, ug: 1e-9, µg: 1e-9, ng: 1e-12 }, ''),
  ...family({ mol: 1 }, SI, 'mol'),
  ...family(CONC, { M: 1e3, mM: 1, uM: 1e-3, µM: 1e-3, nM: 1e-6, pM: 1e-9 }, ''),
  ['K', { dims: { K: 1 }, scale: 1 }],
  ['degC', { dims: { K: 1 }, scale: 1, offset: 273.15 }],
  ['°C', { dims: { K: 1 }, scale: 1, offset: 273.15 }],
  ['degF', { dims: { K: 1 }, scale: 5 / 9, offset: 273.15 - (32 * 5) / 9 }],
  ['Pa', { dims: PRESSURE, scale: 1 }],
  ['kPa', { dims: PRESSURE, scale: 1e3 }],
  ['MPa', { dims: PRESSURE, scale: 1e6 }],
  ['bar', { dims: PRESSURE, scale: 1e5 }],
  ['mbar', { dims: PRESSURE, scale: 1e2 }],
  ['psi', { dims: PRESSURE, scale: 6894.757293168 }],
  ['atm', { dims: PRESSURE, scale: 101325 }],
  ['Hz', { dims: { s: -1 }, scale: 1 }],
  ['rpm', { dims: { s: -1 }, scale: 1 / 60 }],
  ['A', { dims: { A: 1 }, scale: 1 }],
  ['mA', { dims: { A: 1 }, scale: 1e-3 }],
  ['V', { dims: { kg: 1, m: 2, s: -3, A: -1 }, scale: 1 }],
  ['mV', { dims: { kg: 1, m: 2, s: -3, A: -1 }, scale: 1e-3 }],
  ['W', { dims: { kg: 1, m: 2, s: -3 }, scale: 1 }],
  ['J', { dims: { kg: 1, m: 2, s: -2 }, scale: 1 }],
  ['kJ', { dims: { kg: 1, m: 2, s: -2 }, scale: 1e3 }],
  ['%', { dims: {}, scale: 0.01 }],
]);

/** The names the table knows, for "did you mean" and docs. */
export const KNOWN_UNITS: readonly string[] = Object.keys(ATOMS);

export const DIMENSIONLESS: Unit = { text: '', dims: {}, scale: 1, offset: 0 };

const cache = new Map<string, Unit | undefined>();
const ATOM_PATTERN = /^[A-Za-zµ°Ω%][A-Za-z0-9µ°Ω_]*$/;

/** Parses `mL/min`, `mol/L/s`, `m^2`, `1/s`, `kg*m/s^2`; undefined when the text is not a unit expression. */
export function parseUnit(text: string): Unit | undefined {
  const key = text.trim();
  if (cache.has(key)) return cache.get(key);
  const unit = parse(key);
  if (cache.size < 10_000) cache.set(key, unit);
  return unit;
}

function parse(text: string): Unit | undefined {
  if (text === '') return DIMENSIONLESS;
  const parts = text.split(/\s*([*/·])\s*|\s+/).filter((p) => p !== undefined && p !== '');
  let dims: Record<string, number> = {};
  let scale = 1;
  let sign = 1;
  let expectAtom = true;
  let atoms = 0;
  let single: Atom | undefined;
  for (const part of parts) {
    if (part === '*' || part === '·' || part === '/') {
      if (expectAtom) return undefined;
      sign = part === '/' ? -1 : 1;
      expectAtom = true;
      continue;
    }
    if (!expectAtom) sign = 1; // "N m" is a product
    const m = /^(.+?)(?:\^(-?\d+))?$/.exec(part);
    if (!m) return undefined;
    const name = m[1] as string;
    const power = sign * (m[2] === undefined ? 1 : Number(m[2]));
    if (name === '1' && sign === 1 && atoms === 0) {
      expectAtom = false;
      continue;
    }
    if (!ATOM_PATTERN.test(name)) return undefined;
    const atom: Atom = ATOMS[name] ?? { dims: { [name]: 1 }, scale: 1 };
    single = atoms === 0 && power === 1 ? atom : undefined;
    atoms++;
    dims = combine(dims, atom.dims, power);
    scale *= atom.scale ** power;
    expectAtom = false;
  }
  if (expectAtom && parts.length > 0) return undefined;
  const offset = atoms === 1 && single ? (single.offset ?? 0) : 0;
  return { text: normalize(text), dims, scale, offset };
}

function normalize(text: string): string {
  return text.replace(/\s*([*/])\s*/g, '$1').replace(/\s+/g, ' ');
}

function combine(a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>, k: number) {
  const out: Record<string, number> = { ...a };
  for (const [d, p] of Object.entries(b)) {
    const v = (out[d] ?? 0) + k * p;
    if (v === 0) delete out[d];
    else out[d] = v;
  }
  return out;
}

export function sameDimension(a: Unit, b: Unit): boolean {
  const keys = new Set([...Object.keys(a.dims), ...Object.keys(b.dims)]);
  for (const k of keys) if ((a.dims[k] ?? 0) !== (b.dims[k] ?? 0)) return false;
  return true;
}

export function isDimensionless(u: Unit): boolean {
  return Object.keys(u.dims).length === 0;
}

/** Converts an absolute value (a temperature of 37 degC, not a difference) from one unit to another. */
export function convert(value: number, from: Unit, to: Unit): number {
  if (from.text === to.text) return value;
  return clean((value * from.scale + from.offset - to.offset) / to.scale);
}

/** Converts a difference (5 degC warmer) — offsets cancel. */
export function convertDelta(value: number, from: Unit, to: Unit): number {
  if (from.text === to.text) return value;
  return clean((value * from.scale) / to.scale);
}

/** 0.25 mL is 250 uL, not 249.99999999999997: conversions keep 12 significant digits, far below any instrument's. */
function clean(x: number): number {
  return Number.isFinite(x) && x !== 0 ? Number(x.toPrecision(12)) : x;
}

export function multiplyUnits(a: Unit, b: Unit, power: 1 | -1): Unit {
  const text =
    a.text === '' ? (power === 1 ? b.text : `1/${b.text}`) : `${a.text}${power === 1 ? '*' : '/'}${b.text}`;
  return { text, dims: combine(a.dims, b.dims, power), scale: a.scale * b.scale ** power, offset: 0 };
}

export function powerUnit(a: Unit, n: number): Unit {
  return { text: `${a.text}^${n}`, dims: combine({}, a.dims, n), scale: a.scale ** n, offset: 0 };
}

/** The dimension in words, for messages: "volume", "time", "m^-1·kg·s^-2" … */
export function describeDimension(u: Unit): string {
  for (const [word, unit] of NAMED_DIMENSIONS) if (sameDimension(u, unit)) return word;
  const parts = Object.entries(u.dims).map(([d, p]) => (p === 1 ? d : `${d}^${p}`));
  return parts.length === 0 ? 'a plain number' : parts.join('·');
}

const NAMED_DIMENSIONS: [string, Unit][] = (
  [
    ['time', 's'],
    ['length', 'm'],
    ['volume', 'L'],
    ['mass', 'g'],
    ['amount', 'mol'],
    ['concentration', 'M'],
    ['temperature', 'K'],
    ['pressure', 'Pa'],
    ['frequency', 'Hz'],
    ['flow', 'L/s'],
    ['rate of concentration', 'M/s'],
  ] as const
).map(([w, t]) => [w, parse(t) as Unit]);
