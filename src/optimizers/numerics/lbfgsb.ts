/**
 * Bound-constrained quasi-Newton minimization in the spirit of L-BFGS-B: a limited-memory BFGS direction over the
 * variables not held at a bound, a backtracking Armijo search along the projected path P(x + t·d), and stopping on
 * the projected gradient or on a stalled relative decrease (scipy's `pgtol` and `factr`).
 *
 * The objective may answer Infinity (or NaN) for a point it refuses — an infeasible candidate, a covariance matrix
 * that cannot be factored — and the search backs off from it, so a feasible start stays feasible.
 */

export type Objective = (x: Float64Array) => { value: number; gradient: Float64Array };

export interface MinimizeOptions {
  maxIterations?: number;
  /** Stop when the projected gradient's largest component is below this. */
  gradientTolerance?: number;
  /** Stop when one iteration decreases f by less than this, relative to max(|f|, 1). */
  relativeTolerance?: number;
  /** Pairs kept for the inverse-Hessian approximation. */
  memory?: number;
}

export interface MinimizeResult {
  x: Float64Array;
  value: number;
  iterations: number;
  evaluations: number;
  reason: 'gradient' | 'stalled' | 'iterations' | 'line-search' | 'not-finite';
}

const ARMIJO = 1e-4;
const MAX_BACKTRACKS = 30;

export function minimizeBounded(
  f: Objective,
  x0: ArrayLike<number>,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  options: MinimizeOptions = {},
): MinimizeResult {
  const n = x0.length;
  const maxIterations = options.maxIterations ?? 200;
  const gtol = options.gradientTolerance ?? 1e-6;
  const ftol = options.relativeTolerance ?? 1e-10;
  const memory = new Memory(options.memory ?? 10);
  let x: Float64Array = Float64Array.from({ length: n }, (_, i) => clamp(x0[i]!, lower[i]!, upper[i]!));
  let cur = f(x);
  let evaluations = 1;
  if (!Number.isFinite(cur.value))
    return { x, value: cur.value, iterations: 0, evaluations, reason: 'not-finite' };
  for (let it = 0; it < maxIterations; it++) {
    const free = freeMask(x, cur.gradient, lower, upper);
    if (projectedGradientNorm(cur.gradient, free) < gtol)
      return { x, value: cur.value, iterations: it, evaluations, reason: 'gradient' };
    let d = memory.direction(cur.gradient, free);
    if (dot(d, cur.gradient) >= 0) {
      memory.clear();
      d = memory.direction(cur.gradient, free);
    }
    const step = lineSearch(f, x, cur, d, lower, upper, memory.size === 0);
    evaluations += step.evaluations;
    if (!step.next) {
      if (memory.size === 0)
        return { x, value: cur.value, iterations: it, evaluations, reason: 'line-search' };
      memory.clear();
      continue;
    }
    const { x: xn, value, gradient } = step.next;
    memory.push(sub(xn, x), sub(gradient, cur.gradient));
    const decrease = cur.value - value;
    x = xn;
    cur = { value, gradient };
    if (decrease <= ftol * Math.max(Math.abs(value), 1))
      return { x, value, iterations: it + 1, evaluations, reason: 'stalled' };
  }
  return { x, value: cur.value, iterations: maxIterations, evaluations, reason: 'iterations' };
}

function lineSearch(
  f: Objective,
  x: Float64Array,
  cur: { value: number; gradient: Float64Array },
  d: Float64Array,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
  steepest: boolean,
): { next?: { x: Float64Array; value: number; gradient: Float64Array }; evaluations: number } {
  // Without curvature information the first trial moves at most one unit along the largest component.
  let t = steepest ? Math.min(1, 1 / Math.max(1e-12, maxAbs(d))) : 1;
  for (let k = 0; k < MAX_BACKTRACKS; k++, t *= 0.5) {
    const xn = new Float64Array(x.length);
    for (let i = 0; i < x.length; i++) xn[i] = clamp(x[i]! + t * d[i]!, lower[i]!, upper[i]!);
    const moved = sub(xn, x);
    const slope = dot(moved, cur.gradient);
    if (slope >= 0) {
      if (maxAbs(moved) === 0) return { evaluations: k };
      continue;
    }
    const r = f(xn);
    if (Number.isFinite(r.value) && r.value <= cur.value + ARMIJO * slope)
      return { next: { x: xn, value: r.value, gradient: r.gradient }, evaluations: k + 1 };
  }
  return { evaluations: MAX_BACKTRACKS };
}

/** Variables that may move: not at a bound with the gradient pushing outwards. */
function freeMask(
  x: Float64Array,
  g: Float64Array,
  lower: ArrayLike<number>,
  upper: ArrayLike<number>,
): Uint8Array {
  const free = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const atLower = x[i]! <= lower[i]! && g[i]! > 0;
    const atUpper = x[i]! >= upper[i]! && g[i]! < 0;
    free[i] = atLower || atUpper ? 0 : 1;
  }
  return free;
}

function projectedGradientNorm(g: Float64Array, free: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < g.length; i++) if (free[i]) m = Math.max(m, Math.abs(g[i]!));
  return m;
}

/** The limited-memory inverse Hessian, applied by the two-loop recursion over the free variables. */
class Memory {
  private readonly s: Float64Array[] = [];
  private readonly y: Float64Array[] = [];

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.s.length;
  }

  clear(): void {
    this.s.length = 0;
    this.y.length = 0;
  }

  push(s: Float64Array, y: Float64Array): void {
    const sy = dot(s, y);
    if (!(sy > 1e-10 * dot(y, y))) return; // curvature condition fails: keep the old pairs
    this.s.push(s);
    this.y.push(y);
    if (this.s.length > this.capacity) {
      this.s.shift();
      this.y.shift();
    }
  }

  direction(g: Float64Array, free: Uint8Array): Float64Array {
    const q = Float64Array.from(g, (v, i) => (free[i] ? v : 0));
    const k = this.s.length;
    const alpha = new Float64Array(k);
    const rho = this.s.map((s, i) => 1 / maskedDot(s, this.y[i]!, free));
    const usable = (i: number): boolean => Number.isFinite(rho[i]!) && rho[i]! > 0;
    for (let i = k - 1; i >= 0; i--) {
      if (!usable(i)) continue;
      alpha[i] = rho[i]! * maskedDot(this.s[i]!, q, free);
      maskedAxpy(-alpha[i]!, this.y[i]!, q, free);
    }
    const last = k - 1;
    const gamma =
      last >= 0 && usable(last) ? 1 / (rho[last]! * maskedDot(this.y[last]!, this.y[last]!, free)) : 1;
    const scale = Number.isFinite(gamma) && gamma > 0 ? gamma : 1;
    for (let i = 0; i < q.length; i++) q[i] = q[i]! * scale;
    for (let i = 0; i < k; i++) {
      if (!usable(i)) continue;
      const beta = rho[i]! * maskedDot(this.y[i]!, q, free);
      maskedAxpy(alpha[i]! - beta, this.s[i]!, q, free);
    }
    for (let i = 0; i < q.length; i++) q[i] = free[i] ? -q[i]! : 0;
    return q;
  }
}

/** Σ a_i·b_i over the free variables. */
function maskedDot(a: Float64Array, b: Float64Array, free: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) if (free[i]) s += a[i]! * b[i]!;
  return s;
}

/** y += a·x over the free variables. */
function maskedAxpy(a: number, x: Float64Array, y: Float64Array, free: Uint8Array): void {
  for (let i = 0; i < y.length; i++) if (free[i]) y[i] = y[i]! + a * x[i]!;
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function sub(a: Float64Array, b: Float64Array): Float64Array {
  return Float64Array.from(a, (v, i) => v - b[i]!);
}

function maxAbs(a: Float64Array): number {
  let m = 0;
  for (const v of a) m = Math.max(m, Math.abs(v));
  return m;
}
