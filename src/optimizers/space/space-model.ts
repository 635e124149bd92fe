/**
 * A search space as the optimizers see it. Three views of a point:
 * - params: what a suggestion carries (`{temperature: 61.5, catalyst: "B", n: 3}`);
 * - unit: one coordinate in [0, 1) per free parameter, for samplers (uniform, or log-uniform for log-scale ones);
 * - encoded: the GP's input — numeric parameters scaled to [0, 1] (log scale for log ones), categoricals one-hot.
 * Parameters fixed by linear equalities ("dependents") are not free: they are computed from the others. A point is
 * feasible when every parameter is within its bounds, integers are integers, choices are choices and every
 * constraint holds; nothing infeasible leaves a strategy.
 */
import { satisfiesAll, violation } from '../constraints.js';
import type { Constraint, ParamValue, ParameterDef, SearchSpace } from '../strategy.port.js';
import { solveEqualities, type Dependent } from './linear-equalities.js';

export type Params = Record<string, ParamValue>;

type NumericDef = Extract<ParameterDef, { type: 'float' | 'int' }>;

export interface FreeParam {
  name: string;
  def: ParameterDef;
  /** First encoded column; categoricals take one column per choice. */
  column: number;
  width: number;
}

/** Relative slack within which a computed dependent is pulled back onto its bound. */
const DEPENDENT_SLACK = 1e-12;

export class SpaceModel {
  readonly names: string[];
  readonly free: FreeParam[];
  readonly dependents: Dependent[];
  readonly encodedDims: number;
  /** Encoded columns of numeric free parameters, which a local optimizer may move continuously. */
  readonly numericColumns: number[];

  constructor(
    readonly space: SearchSpace,
    readonly constraints: readonly Constraint[],
  ) {
    this.names = Object.keys(space);
    this.dependents = solveEqualities(space, constraints);
    const dependent = new Set(this.dependents.map((d) => d.name));
    let column = 0;
    this.free = [];
    this.numericColumns = [];
    for (const name of this.names) {
      if (dependent.has(name)) continue;
      const def = space[name]!;
      const width = def.type === 'categorical' ? def.choices.length : 1;
      if (def.type !== 'categorical') this.numericColumns.push(column);
      this.free.push({ name, def, column, width });
      column += width;
    }
    this.encodedDims = column;
  }

  get unitDims(): number {
    return this.free.length;
  }

  /** Params from a unit-cube point (one coordinate per free parameter), dependents included. */
  fromUnit(u: ArrayLike<number>): Params {
    const out: Params = {};
    this.free.forEach((f, i) => {
      const t = Math.min(Math.max(u[i]!, 0), 1);
      const def = f.def;
      if (def.type === 'categorical')
        out[f.name] = def.choices[Math.min(def.choices.length - 1, Math.floor(t * def.choices.length))]!;
      else if (def.type === 'int' && !def.log)
        out[f.name] = Math.min(def.max, def.min + Math.floor(t * (def.max - def.min + 1)));
      else out[f.name] = fromScaled(def, t);
    });
    return this.withDependents(out);
  }

  /** The GP input of a point. */
  encode(params: Readonly<Params>): Float64Array {
    const z = new Float64Array(this.encodedDims);
    for (const f of this.free) {
      const v = params[f.name];
      if (f.def.type === 'categorical') {
        const k = f.def.choices.indexOf(v as string | number);
        if (k >= 0) z[f.column + k] = 1;
      } else z[f.column] = toScaled(f.def, Number(v));
    }
    return z;
  }

  /** The point an encoded vector stands for: numbers clamped and rounded, categoricals by their largest column. */
  decode(z: ArrayLike<number>): Params {
    const out: Params = {};
    for (const f of this.free) {
      const def = f.def;
      if (def.type === 'categorical') {
        let best = 0;
        for (let k = 1; k < f.width; k++) if (z[f.column + k]! > z[f.column + best]!) best = k;
        out[f.name] = def.choices[best]!;
      } else out[f.name] = fromScaled(def, Math.min(Math.max(z[f.column]!, 0), 1));
    }
    return this.withDependents(out);
  }

  withDependents(free: Params): Params {
    const out = { ...free };
    for (const d of this.dependents) {
      let v = d.constant;
      for (const [p, c] of Object.entries(d.coefficients)) v += c * Number(out[p]);
      const def = this.space[d.name] as NumericDef;
      const slack = DEPENDENT_SLACK * Math.max(1, Math.abs(def.max - def.min));
      if (v < def.min && v > def.min - slack) v = def.min;
      if (v > def.max && v < def.max + slack) v = def.max;
      out[d.name] = v;
    }
    return this.ordered(out);
  }

  isFeasible(params: Readonly<Params>): boolean {
    return (
      this.names.every((n) => inDomain(this.space[n]!, params[n])) && satisfiesAll(this.constraints, params)
    );
  }

  /** 0 for a feasible point; otherwise a measure of how far it is from feasible. */
  violation(params: Readonly<Params>): number {
    let total = 0;
    for (const n of this.names) {
      const def = this.space[n]!;
      const v = params[n];
      if (def.type !== 'categorical' && typeof v === 'number')
        total += Math.max(0, def.min - v, v - def.max) / Math.max(1e-12, def.max - def.min);
      else if (!inDomain(def, v)) total += 1;
    }
    for (const c of this.constraints) total += violation(c, params);
    return total;
  }

  /** A stable text key of a point, to recognise repeats. */
  key(params: Readonly<Params>): string {
    return JSON.stringify(this.names.map((n) => params[n]));
  }

  private ordered(p: Params): Params {
    const out: Params = {};
    for (const n of this.names) out[n] = p[n]!;
    return out;
  }
}

function fromScaled(def: NumericDef, t: number): number {
  const raw = def.log
    ? Math.exp(Math.log(def.min) + t * (Math.log(def.max) - Math.log(def.min)))
    : def.min + t * (def.max - def.min);
  const v = Math.min(def.max, Math.max(def.min, raw));
  return def.type === 'int' ? Math.min(def.max, Math.max(def.min, Math.round(v))) : v;
}

function toScaled(def: NumericDef, v: number): number {
  if (def.max === def.min) return 0;
  return def.log
    ? (Math.log(v) - Math.log(def.min)) / (Math.log(def.max) - Math.log(def.min))
    : (v - def.min) / (def.max - def.min);
}

function inDomain(def: ParameterDef, v: ParamValue | undefined): boolean {
  if (def.type === 'categorical') return v !== undefined && def.choices.includes(v);
  if (typeof v !== 'number' || !Number.isFinite(v) || v < def.min || v > def.max) return false;
  return def.type === 'float' || Number.isInteger(v);
}

/** A uniform point of the box (log-uniform on log scales), constraints ignored: for static checks and estimates. */
export function sampleParams(space: SearchSpace, rng: { next(): number }): Params {
  const model = new SpaceModel(space, []);
  return model.fromUnit(Array.from({ length: model.unitDims }, () => rng.next()));
}
