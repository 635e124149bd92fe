/**
 * Nonlinear least squares by Levenberg–Marquardt with a finite-difference Jacobian, for small models (a handful
 * of parameters, a few hundred points). Returns the fit and the parameters' standard errors from (JᵀJ)⁻¹·s².
 */

export type Model = (t: number, p: readonly number[]) => number;

export interface LeastSquaresFit {
  params: number[];
  sem: number[];
  /** Sum of squared residuals. */
  sse: number;
  iterations: number;
  converged: boolean;
}

export function levenbergMarquardt(
  model: Model,
  t: readonly number[],
  y: readonly number[],
  start: readonly number[],
  maxIterations = 200,
): LeastSquaresFit {
  const m = Math.min(t.length, y.length);
  const k = start.length;
  let p = [...start];
  let lambda = 1e-3;
  let sse = residualSum(model, t, y, p, m);
  let converged = false;
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    const J = jacobian(model, t, p, m);
    const r = Array.from({ length: m }, (_, i) => (y[i] as number) - model(t[i] as number, p));
    const JtJ = multiplyTranspose(J, k);
    const Jtr = Array.from({ length: k }, (_, a) =>
      J.reduce((s, row, i) => s + (row[a] as number) * (r[i] as number), 0),
    );
    let improved = false;
    for (let tries = 0; tries < 20 && !improved; tries++) {
      const A = JtJ.map((row, a) => row.map((v, b) => (a === b ? v * (1 + lambda) + 1e-12 : v)));
      const step = solve(A, Jtr);
      if (!step) {
        lambda *= 10;
        continue;
      }
      const candidate = p.map((v, a) => v + (step[a] as number));
      const candidateSse = residualSum(model, t, y, candidate, m);
      if (Number.isFinite(candidateSse) && candidateSse < sse) {
        const relative = (sse - candidateSse) / Math.max(sse, 1e-300);
        p = candidate;
        sse = candidateSse;
        lambda = Math.max(lambda / 10, 1e-12);
        improved = true;
        if (relative < 1e-10) converged = true;
      } else lambda *= 10;
    }
    if (!improved || converged) {
      converged = true;
      break;
    }
  }
  const JtJ = multiplyTranspose(jacobian(model, t, p, m), k);
  const inverse = invert(JtJ);
  const s2 = m > k ? sse / (m - k) : 0;
  const sem = p.map((_, a) => (inverse ? Math.sqrt(Math.max(0, (inverse[a]?.[a] ?? 0) * s2)) : Number.NaN));
  return { params: p, sem, sse, iterations, converged };
}

function residualSum(
  model: Model,
  t: readonly number[],
  y: readonly number[],
  p: readonly number[],
  m: number,
): number {
  let s = 0;
  for (let i = 0; i < m; i++) s += ((y[i] as number) - model(t[i] as number, p)) ** 2;
  return s;
}

function jacobian(model: Model, t: readonly number[], p: readonly number[], m: number): number[][] {
  const J = Array.from({ length: m }, () => new Array<number>(p.length).fill(0));
  p.forEach((v, a) => {
    const h = 1e-6 * Math.max(1, Math.abs(v));
    const up = [...p];
    const down = [...p];
    up[a] = v + h;
    down[a] = v - h;
    for (let i = 0; i < m; i++)
      (J[i] as number[])[a] = (model(t[i] as number, up) - model(t[i] as number, down)) / (2 * h);
  });
  return J;
}

function multiplyTranspose(J: number[][], k: number): number[][] {
  const out = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (const row of J)
    for (let a = 0; a < k; a++)
      for (let b = 0; b < k; b++)
        (out[a] as number[])[b] = (out[a]?.[b] ?? 0) + (row[a] as number) * (row[b] as number);
  return out;
}

/** Gaussian elimination with partial pivoting; undefined when singular. */
export function solve(A: readonly number[][], b: readonly number[]): number[] | undefined {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i] as number]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]?.[c] ?? 0) > Math.abs(M[pivot]?.[c] ?? 0)) pivot = r;
    if (Math.abs(M[pivot]?.[c] ?? 0) < 1e-300) return undefined;
    [M[c], M[pivot]] = [M[pivot] as number[], M[c] as number[]];
    const row = M[c] as number[];
    for (let r = c + 1; r < n; r++) {
      const other = M[r] as number[];
      const f = (other[c] as number) / (row[c] as number);
      for (let j = c; j <= n; j++) other[j] = (other[j] as number) - f * (row[j] as number);
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    const row = M[r] as number[];
    let s = row[n] as number;
    for (let j = r + 1; j < n; j++) s -= (row[j] as number) * (x[j] as number);
    x[r] = s / (row[r] as number);
  }
  return x;
}

function invert(A: readonly number[][]): number[][] | undefined {
  const n = A.length;
  const cols: number[][] = [];
  for (let j = 0; j < n; j++) {
    const e = Array.from({ length: n }, (_, i) => (i === j ? 1 : 0));
    const col = solve(A, e);
    if (!col) return undefined;
    cols.push(col);
  }
  return Array.from({ length: n }, (_, i) => cols.map((c) => c[i] as number));
}
