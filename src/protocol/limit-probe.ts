/**
 * Finds the worst case of a value over a campaign's search space: the point where `${inputs.volume * 2}` is largest
 * or smallest. Interval arithmetic says a value *may* leave a hard limit; the probe finds a point that really does —
 * among the corners of the ranges the value uses and seeded random points, all inside the constraints — so the
 * message names it (`reaches 120 uL at volume = 60 uL`).
 */
import { evaluateNode, ExpressionError, referencesOf, type Node } from '../common/expression.js';
import { formatValue, Quantity, toNumberIn, ValueError, type Value } from '../common/quantity.js';
import { deriveSeed, SeededRandom } from '../common/seeded-random.js';
import type { Unit } from '../common/units.js';
import { satisfiesAll } from '../optimizers/constraints.js';
import { sampleParams } from '../optimizers/space/space-model.js';
import type { Constraint, ParamValue } from '../optimizers/strategy.port.js';
import type { ParameterSpec } from './campaign.schema.js';

export interface Witness {
  value: number;
  /** The point, as `volume = 60 uL, ratio = 2`. */
  at: string;
}

export interface SearchProbe {
  /** Constraints cut the space: a bound found by arithmetic alone may be out of reach. */
  readonly constrained: boolean;
  /** The largest and smallest value of `node` (in `unit`) found; undefined when it cannot be evaluated. */
  extremes(
    node: Node,
    loops: Readonly<Record<string, readonly Value[] | undefined>>,
    unit: Unit | undefined,
  ): { max: Witness; min: Witness } | undefined;
}

export interface ProbeSpace {
  parameters: Readonly<Record<string, ParameterSpec>>;
  constraints: readonly Constraint[];
  /** The value input `name` takes at a point of the space (parameter, fixed value or default, with its unit). */
  input(name: string, point: Readonly<Record<string, ParamValue>>): Value | undefined;
}

const RANDOM_POINTS = 300;
const MAX_EVALUATIONS = 4000;

export function searchProbe(space: ProbeSpace): SearchProbe {
  const points = new Map<string, Record<string, ParamValue>[]>();
  return {
    constrained: space.constraints.length > 0,
    extremes(node, loops, unit) {
      const refs = referencesOf(node);
      const used = new Set(refs.filter((p) => p[0] === 'inputs' && p.length >= 2).map((p) => p[1] as string));
      const varying = [...used].filter((n) => space.parameters[n]).sort();
      const loopNames = [
        ...new Set(
          refs
            .filter((p) => p.length === 1 && p[0] !== undefined && p[0] in loops)
            .map((p) => p[0] as string),
        ),
      ];
      const key = varying.join(',');
      let candidates = points.get(key);
      if (!candidates) {
        candidates = pointsFor(space, varying);
        points.set(key, candidates);
      }
      const loopPoints = loopCombos(loopNames, loops);
      type Best = { value: number; point: Record<string, ParamValue>; loop: Record<string, Value> };
      let max: Best | undefined;
      let min: Best | undefined;
      let evaluations = 0;
      const consider = (point: Record<string, ParamValue>, loop: Record<string, Value>): void => {
        const v = evaluateAt(node, space, point, loop, unit);
        if (v === undefined) return;
        if (!max || v > max.value) max = { value: v, point, loop };
        if (!min || v < min.value) min = { value: v, point, loop };
      };
      for (const point of candidates) {
        for (const lp of loopPoints) {
          if (++evaluations > MAX_EVALUATIONS) break;
          consider(point, lp);
        }
      }
      // Constraints: the worst point found at random lies inside; the worst of all often lies on a constraint's
      // boundary. Push each of the best points toward the corners of what the value uses until a constraint stops it.
      if (space.constraints.length > 0)
        for (const best of [max, min]) {
          if (!best) continue;
          for (const target of corners(space, varying, 16))
            for (const fill of fills(space, varying, best.point))
              consider(boundary(space, { ...best.point, ...fill }, target), best.loop);
        }
      const witness = (b: Best): Witness => ({
        value: b.value,
        at: describePoint(space, varying, b.point, b.loop),
      });
      return max && min ? { max: witness(max), min: witness(min) } : undefined;
    },
  };
}

function evaluateAt(
  node: Node,
  space: ProbeSpace,
  point: Record<string, ParamValue>,
  loop: Record<string, Value>,
  unit: Unit | undefined,
): number | undefined {
  try {
    const v = evaluateNode(node, (p) => {
      if (p.length === 1 && p[0] !== undefined && p[0] in loop) return loop[p[0]];
      if (p[0] === 'inputs' && p[1] !== undefined && p.length === 2) return space.input(p[1], point);
      return undefined;
    });
    const n = toNumberIn(v, unit, 'value');
    return Number.isFinite(n) ? n : undefined;
  } catch (e) {
    if (e instanceof ExpressionError || e instanceof ValueError) return undefined;
    throw e;
  }
}

/** Corners of the ranges the value uses (others at random), then seeded random points; all inside the constraints. */
function pointsFor(space: ProbeSpace, varying: string[]): Record<string, ParamValue>[] {
  const rng = new SeededRandom(deriveSeed(0, 'limit-probe', varying.join(',')));
  const random = (): Record<string, ParamValue> => sampleParams(space.parameters, rng);
  const out: Record<string, ParamValue>[] = [];
  const keep = (p: Record<string, ParamValue>): void => {
    if (satisfiesAll(space.constraints, p)) out.push(p);
  };
  const others = Object.keys(space.parameters).filter((n) => !varying.includes(n));
  // With constraints, the other parameters' corners too: the worst feasible point often sits at one (a large volume
  // is allowed only where the temperature is at its lowest).
  const fills = space.constraints.length > 0 ? corners(space, others, 64) : [{}];
  for (const corner of corners(space, varying, 1024)) {
    let found = false;
    for (const fill of fills) {
      const p = { ...random(), ...fill, ...corner };
      if (satisfiesAll(space.constraints, p)) {
        out.push(p);
        found = true;
        break;
      }
    }
    for (let i = 0; !found && i < 8 && space.constraints.length > 0; i++) {
      const p = { ...random(), ...corner };
      if (satisfiesAll(space.constraints, p)) {
        out.push(p);
        found = true;
      }
    }
  }
  for (let i = 0; i < RANDOM_POINTS; i++) keep(random());
  return out;
}

function corners(space: ProbeSpace, varying: string[], cap: number): Record<string, ParamValue>[] {
  let combos: Record<string, ParamValue>[] = [{}];
  for (const name of varying) {
    const p = space.parameters[name];
    if (!p) continue;
    const values: ParamValue[] = p.type === 'categorical' ? p.choices.slice(0, 8) : [p.min, p.max];
    const next: Record<string, ParamValue>[] = [];
    for (const c of combos) for (const v of values) next.push({ ...c, [name]: v });
    combos = next.slice(0, cap);
  }
  return combos;
}

function loopCombos(
  names: string[],
  loops: Readonly<Record<string, readonly Value[] | undefined>>,
): Record<string, Value>[] {
  let combos: Record<string, Value>[] = [{}];
  for (const name of names) {
    const values = loops[name];
    if (!values || values.length === 0) return [];
    const next: Record<string, Value>[] = [];
    for (const c of combos) for (const v of values.slice(0, 16)) next.push({ ...c, [name]: v });
    combos = next.slice(0, 64);
  }
  return combos;
}

/** The point itself, and the same point with the other parameters at each corner of their ranges. */
function fills(
  space: ProbeSpace,
  varying: string[],
  point: Record<string, ParamValue>,
): Record<string, ParamValue>[] {
  const others = Object.keys(space.parameters).filter((n) => !varying.includes(n));
  return [{}, ...corners(space, others, 8)].filter((f) =>
    satisfiesAll(space.constraints, { ...point, ...f }),
  );
}

/** The last feasible point on the segment from `from` (feasible) toward `target`, by bisection. */
function boundary(
  space: ProbeSpace,
  from: Record<string, ParamValue>,
  target: Record<string, ParamValue>,
): Record<string, ParamValue> {
  const at = (t: number): Record<string, ParamValue> => {
    const p: Record<string, ParamValue> = { ...from };
    for (const [k, v] of Object.entries(target)) {
      const a = from[k];
      const spec = space.parameters[k];
      if (typeof a !== 'number' || typeof v !== 'number' || !spec || spec.type === 'categorical') {
        if (t === 1) p[k] = v;
        continue;
      }
      const x = a + t * (v - a);
      p[k] = spec.type === 'int' ? Math.round(x) : x;
    }
    return p;
  };
  if (!satisfiesAll(space.constraints, from)) return from;
  const end = at(1);
  if (satisfiesAll(space.constraints, end)) return end;
  let lo = 0;
  let hi = 1;
  for (let i = 0; i < 30; i++) {
    const mid = (lo + hi) / 2;
    if (satisfiesAll(space.constraints, at(mid))) lo = mid;
    else hi = mid;
  }
  return at(lo);
}

/** A value as a message shows it: four significant digits are enough to find the point. */
export function brief(v: Value): string {
  if (typeof v === 'number') return String(Number(v.toPrecision(4)));
  if (v instanceof Quantity) return `${brief(v.value)} ${v.unit.text}`;
  return formatValue(v);
}

function describePoint(
  space: ProbeSpace,
  varying: string[],
  point: Record<string, ParamValue>,
  loop: Record<string, Value>,
): string {
  const parts = varying.map((n) => {
    const v = space.input(n, point);
    return `${n} = ${v === undefined ? '?' : brief(v)}`;
  });
  for (const [n, v] of Object.entries(loop)) parts.push(`${n} = ${brief(v)}`);
  return parts.join(', ');
}
