/**
 * Whether a set of linear constraints over bounded variables has a solution: phase one of the simplex method with
 * Bland's rule (no cycling). Used to tell a lab engineer, before anything runs, that no point of a search space
 * satisfies its constraints together. Dense and small: a campaign has tens of parameters, not thousands.
 */

export interface LinearRow {
  coefficients: Readonly<Record<string, number>>;
  op: '<=' | '>=' | '==';
  rhs: number;
}

export interface Bounds {
  min: number;
  max: number;
}

const EPS = 1e-9;

/** True when some x with min ≤ x ≤ max (per variable) satisfies every row. */
export function isFeasible(rows: readonly LinearRow[], bounds: Readonly<Record<string, Bounds>>): boolean {
  const vars = Object.keys(bounds);
  const index = new Map(vars.map((v, i) => [v, i]));
  // Shift x = min + y with 0 ≤ y ≤ max − min, so every variable is non-negative.
  const all: { a: number[]; op: LinearRow['op']; r: number }[] = [];
  for (const row of rows) {
    const a = new Array<number>(vars.length).fill(0);
    let r = row.rhs;
    for (const [name, c] of Object.entries(row.coefficients)) {
      const j = index.get(name);
      const b = bounds[name];
      if (j === undefined || !b) return true; // a variable we know nothing about: assume it can be satisfied
      a[j] = c;
      r -= c * b.min;
    }
    all.push({ a, op: row.op, r });
  }
  vars.forEach((v, j) => {
    const b = bounds[v] as Bounds;
    const a = new Array<number>(vars.length).fill(0);
    a[j] = 1;
    all.push({ a, op: '<=', r: b.max - b.min });
  });
  return phaseOne(all, vars.length) <= EPS * Math.max(1, ...all.map((x) => Math.abs(x.r)));
}

/** Minimum total infeasibility (sum of artificial variables) of the rows; 0 when feasible. */
function phaseOne(rows: { a: number[]; op: LinearRow['op']; r: number }[], n: number): number {
  const m = rows.length;
  const slacks = rows.filter((x) => x.op !== '==').length;
  const width = n + slacks + m + 1; // variables, slacks, artificials, right-hand side
  const T: number[][] = [];
  const basis: number[] = [];
  let s = 0;
  rows.forEach((row, i) => {
    const line = new Array<number>(width).fill(0);
    const flip = row.r < 0 ? -1 : 1;
    row.a.forEach((c, j) => (line[j] = flip * c));
    if (row.op !== '==') line[n + s++] = flip * (row.op === '<=' ? 1 : -1);
    line[n + slacks + i] = 1;
    line[width - 1] = flip * row.r;
    T.push(line);
    basis.push(n + slacks + i);
  });
  // Objective: minimize Σ artificials = maximize −Σ; reduced costs as Σ of the rows.
  const z = new Array<number>(width).fill(0);
  for (const line of T)
    for (let j = 0; j < width; j++)
      if (j < n + slacks || j === width - 1) z[j] = (z[j] ?? 0) + (line[j] ?? 0);
  for (let iter = 0; iter < 10_000; iter++) {
    let col = -1;
    for (let j = 0; j < n + slacks + m; j++) {
      if ((z[j] ?? 0) > EPS) {
        col = j;
        break;
      }
    }
    if (col < 0) break;
    let row = -1;
    let best = Infinity;
    for (let i = 0; i < m; i++) {
      const a = T[i]?.[col] ?? 0;
      if (a > EPS) {
        const ratio = (T[i]?.[width - 1] ?? 0) / a;
        if (
          ratio < best - EPS ||
          (Math.abs(ratio - best) <= EPS && (basis[i] ?? 0) < (basis[row] ?? Infinity))
        ) {
          best = ratio;
          row = i;
        }
      }
    }
    if (row < 0) break; // unbounded in the objective's direction cannot happen in phase one; stop safely
    pivot(T, z, row, col);
    basis[row] = col;
  }
  return z[width - 1] ?? 0;
}

function pivot(T: number[][], z: number[], row: number, col: number): void {
  const p = T[row] as number[];
  const k = p[col] as number;
  for (let j = 0; j < p.length; j++) p[j] = (p[j] as number) / k;
  for (const line of [...T.filter((_, i) => i !== row), z]) {
    const f = line[col] as number;
    if (f === 0) continue;
    for (let j = 0; j < line.length; j++) line[j] = (line[j] as number) - f * (p[j] as number);
  }
}
