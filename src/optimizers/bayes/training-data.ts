/**
 * What the GP learns from: successful observations encoded as inputs, and one target per observation — the objective
 * (negated when minimized, so the model always maximizes), or with several objectives a ParEGO scalarization
 * (Knowles 2006): each objective scaled to [0, 1] over what was observed, then
 * s = min_i λ_i·f̃_i + ρ·Σ_i λ_i·f̃_i with weights λ on the simplex. Targets are standardized; known standard errors
 * become known noise variances in the same units.
 *
 * A failed observation (or one whose values are missing or not finite) is labelled for the failure model, and also
 * enters the objective's model as if it had given the worst value observed so far: otherwise the model, knowing
 * nothing there, keeps extrapolating hope into the region where experiments fail.
 */
import type { GpData } from '../gp/gp-likelihood.js';
import type { SpaceModel } from '../space/space-model.js';
import type { Objectives, Observation } from '../strategy.port.js';

const RHO = 0.05;

export interface Outcomes {
  /** Observations with values or failures: encoded inputs (row-major), ids, values oriented for maximization. */
  X: Float64Array;
  ids: string[];
  values: number[][];
  sems: (number | undefined)[][];
  /** Rows whose values stand in for a failure. */
  imputed: boolean[];
  successes: number;
  /** Every usable observation with its label, for the failure model. */
  all: { z: Float64Array; succeeded: boolean }[];
  dim: number;
}

export function collectOutcomes(
  model: SpaceModel,
  objectives: Objectives,
  observations: readonly Observation[],
): Outcomes {
  const names = Object.keys(objectives);
  const rows: Float64Array[] = [];
  const out: Outcomes = {
    X: new Float64Array(),
    ids: [],
    values: [],
    sems: [],
    imputed: [],
    successes: 0,
    all: [],
    dim: model.encodedDims,
  };
  for (const o of observations) {
    if (!o.values && !o.failed) continue; // interrupted: teaches nothing
    if (!model.isFeasible(o.params)) continue; // not a point of this space (edited campaign): ignore
    const z = model.encode(o.params);
    const entries = names.map((n) => o.values?.[n]);
    const ok = !o.failed && entries.every((e) => e !== undefined && Number.isFinite(e.mean));
    out.all.push({ z, succeeded: ok });
    rows.push(z);
    out.ids.push(o.suggestionId);
    out.imputed.push(!ok);
    if (!ok) {
      out.values.push([]);
      out.sems.push(names.map(() => undefined));
      continue;
    }
    out.successes++;
    out.values.push(entries.map((e, i) => (objectives[names[i]!]!.goal === 'minimize' ? -e!.mean : e!.mean)));
    out.sems.push(entries.map((e) => (e!.sem !== undefined && e!.sem > 0 ? e!.sem : undefined)));
  }
  imputeFailures(out, names.length);
  if (out.successes === 0) rows.length = 0;
  out.X = new Float64Array(rows.length * model.encodedDims);
  rows.forEach((r, i) => out.X.set(r, i * model.encodedDims));
  return out;
}

/** Failed rows take the worst value of each objective among the successes (no successes: rows are dropped). */
function imputeFailures(out: Outcomes, objectives: number): void {
  const worst = Array.from({ length: objectives }, (_, j) =>
    Math.min(...out.values.filter((v, i) => !out.imputed[i] && v.length > 0).map((v) => v[j]!)),
  );
  if (out.successes === 0) {
    out.ids = [];
    out.values = [];
    out.sems = [];
    out.imputed = [];
    return;
  }
  out.values = out.values.map((v, i) => (out.imputed[i] ? [...worst] : v));
}

/** The targets for rows `index` of the outcomes, as standardized GP data. */
export function gpData(
  o: Outcomes,
  index: readonly number[],
  weights: readonly number[] | undefined,
): GpData {
  const m = o.values[0]?.length ?? 1;
  const raw = m === 1 || !weights ? index.map((i) => o.values[i]![0]!) : scalarized(o, index, weights);
  const mean = raw.reduce((a, b) => a + b, 0) / Math.max(1, raw.length);
  const variance = raw.reduce((a, b) => a + (b - mean) ** 2, 0) / Math.max(1, raw.length);
  const std = variance > 0 ? Math.sqrt(variance) : 1;
  const X = new Float64Array(index.length * o.dim);
  index.forEach((i, r) => X.set(o.X.subarray(i * o.dim, (i + 1) * o.dim), r * o.dim));
  const sems = m === 1 ? index.map((i) => o.sems[i]![0]) : [];
  const known = sems.some((s) => s !== undefined)
    ? Float64Array.from(sems, (s) => ((s ?? 0) / std) ** 2)
    : undefined;
  return {
    X,
    n: index.length,
    dim: o.dim,
    y: Float64Array.from(raw, (v) => (v - mean) / std),
    knownNoise: known,
  };
}

function scalarized(o: Outcomes, index: readonly number[], weights: readonly number[]): number[] {
  const ranges = weights.map((_, j) => {
    let lo = Infinity;
    let hi = -Infinity;
    for (const r of index) {
      lo = Math.min(lo, o.values[r]![j]!);
      hi = Math.max(hi, o.values[r]![j]!);
    }
    return { lo, hi };
  });
  return index.map((i) => {
    let min = Infinity;
    let sum = 0;
    weights.forEach((w, j) => {
      const { lo, hi } = ranges[j]!;
      const f = hi > lo ? (o.values[i]![j]! - lo) / (hi - lo) : 0.5;
      min = Math.min(min, w * f);
      sum += w * f;
    });
    return min + RHO * sum;
  });
}
