/**
 * Maximizes an acquisition function over the feasible region:
 * 1. a raw set of scrambled-Sobol points plus Gaussian perturbations of the incumbents, keeping feasible ones;
 * 2. the best few as starts of a bounded quasi-Newton search over the numeric columns (categoricals stay as they
 *    were), which treats any infeasible point as +∞ and so never leaves the feasible region;
 * 3. a coordinate search over the discrete neighbours (other choices, integers ±1) of each result;
 * 4. the best point that repeats no observed or pending one.
 * Integers are relaxed during step 2 and rounded before scoring, so the value compared is that of the real point.
 */
import type { SeededRandom } from '../../common/seeded-random.js';
import { minimizeBounded } from '../numerics/lbfgsb.js';
import { SobolSequence } from '../numerics/sobol.js';
import type { Params, SpaceModel } from '../space/space-model.js';
import type { Acquisition } from './acquisition.js';

export interface AcquisitionSearch {
  model: SpaceModel;
  acquisition: Acquisition;
  rng: SeededRandom;
  rawSamples: number;
  restarts: number;
  /** Encoded points to search closely around (the best observations). */
  incumbents: Float64Array[];
  /** Keys (SpaceModel.key) of points already observed or pending. */
  exclude: ReadonlySet<string>;
  maxIterations: number;
}

interface Candidate {
  params: Params;
  z: Float64Array;
  value: number;
}

const PERTURBATION_SCALES = [0.02, 0.1];

export function maximizeAcquisition(s: AcquisitionSearch): Params | undefined {
  const raw = rawCandidates(s);
  if (raw.length === 0) return undefined;
  const values = s.acquisition.values(stack(raw.map((c) => c.z)), raw.length);
  raw.forEach((c, i) => (c.value = values[i]!));
  raw.sort((a, b) => b.value - a.value);
  const results: Candidate[] = [];
  const seen = new Set<string>();
  for (const start of raw) {
    if (results.length >= s.restarts) break;
    const key = s.model.key(start.params);
    if (seen.has(key)) continue;
    seen.add(key);
    results.push(discreteSearch(s, localSearch(s, start)));
  }
  results.push(...raw.slice(0, 50));
  results.sort((a, b) => b.value - a.value);
  return results.find((c) => !s.exclude.has(s.model.key(c.params)))?.params;
}

function rawCandidates(s: AcquisitionSearch): Candidate[] {
  const { model, rng } = s;
  const out: Candidate[] = [];
  const add = (params: Params): void => {
    if (model.isFeasible(params)) out.push({ params, z: model.encode(params), value: -Infinity });
  };
  const sobol = new SobolSequence(Math.max(1, model.unitDims), rng.nextUint32());
  for (let i = 0; i < s.rawSamples; i++) add(model.fromUnit(sobol.point(i)));
  const perIncumbent = Math.ceil(s.rawSamples / 8 / Math.max(1, s.incumbents.length));
  for (const z0 of s.incumbents) {
    for (let i = 0; i < perIncumbent; i++) {
      const scale = PERTURBATION_SCALES[i % PERTURBATION_SCALES.length]!;
      const z = Float64Array.from(z0);
      for (const c of model.numericColumns) z[c] = Math.min(1, Math.max(0, z[c]! + scale * rng.normal()));
      add(model.decode(z));
    }
  }
  return out;
}

/** Quasi-Newton ascent over the numeric columns from one start. */
function localSearch(s: AcquisitionSearch, start: Candidate): Candidate {
  const cols = s.model.numericColumns;
  if (cols.length === 0) return start;
  const z = Float64Array.from(start.z);
  const full = (x: Float64Array): Float64Array => {
    const out = Float64Array.from(z);
    cols.forEach((c, i) => (out[c] = x[i]!));
    return out;
  };
  const objective = (x: Float64Array): { value: number; gradient: Float64Array } => {
    const zz = full(x);
    if (!s.model.isFeasible(s.model.decode(zz)))
      return { value: Infinity, gradient: new Float64Array(x.length) };
    const r = s.acquisition.valueAndGradient(zz);
    return { value: -r.value, gradient: Float64Array.from(cols, (c) => -r.gradient[c]!) };
  };
  const x0 = Float64Array.from(cols, (c) => z[c]!);
  const r = minimizeBounded(
    objective,
    x0,
    new Float64Array(cols.length),
    new Float64Array(cols.length).fill(1),
    {
      maxIterations: s.maxIterations,
      gradientTolerance: 1e-7,
      relativeTolerance: 1e-9,
    },
  );
  const params = s.model.decode(full(r.x));
  if (!s.model.isFeasible(params)) return start;
  const zz = s.model.encode(params);
  const value = s.acquisition.value(zz);
  return value >= start.value ? { params, z: zz, value } : start;
}

/** Moves to a better discrete neighbour (other choice, integer ±1) until none is better. */
function discreteSearch(s: AcquisitionSearch, c: Candidate): Candidate {
  const discrete = s.model.free.filter((f) => f.def.type !== 'float');
  let best = c;
  for (let round = 0; round < 10 && discrete.length > 0; round++) {
    let improved = false;
    for (const f of discrete) {
      for (const value of neighbours(f.def, best.params[f.name]!)) {
        const params = s.model.withDependents({ ...best.params, [f.name]: value });
        if (!s.model.isFeasible(params)) continue;
        const z = s.model.encode(params);
        const v = s.acquisition.value(z);
        if (v > best.value) [best, improved] = [{ params, z, value: v }, true];
      }
    }
    if (!improved) break;
  }
  return best;
}

function neighbours(def: SpaceModel['free'][number]['def'], current: number | string): (number | string)[] {
  if (def.type === 'categorical') return def.choices.filter((c) => c !== current);
  const v = current as number;
  return [v - 1, v + 1].filter((x) => x >= def.min && x <= def.max);
}

function stack(rows: Float64Array[]): Float64Array {
  const dim = rows[0]?.length ?? 0;
  const out = new Float64Array(rows.length * dim);
  rows.forEach((r, i) => out.set(r, i * dim));
  return out;
}
