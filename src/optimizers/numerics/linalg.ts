/**
 * Dense linear algebra on row-major Float64Array matrices, as much as a Gaussian process needs: a Cholesky
 * factorization that adds escalating jitter when rounding makes a covariance matrix indefinite, triangular solves
 * (one or many right-hand sides), the inverse from the factor, and a block extension of a factor by new rows.
 * Loops run along rows so they stay cache-friendly at n = 1000.
 */

export class NotPositiveDefiniteError extends Error {
  constructor(readonly jitter: number) {
    super(`matrix is not positive definite, even with jitter ${jitter}`);
    this.name = 'NotPositiveDefiniteError';
  }
}

/** Relative jitters tried in turn (times the mean of the diagonal) when a plain factorization fails. */
const JITTERS = [0, 1e-10, 1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4];

/** L (lower, row-major n×n) with A + jitter·I = L·Lᵀ; tries larger jitter until it works. `a` is not modified. */
export function cholesky(a: Float64Array, n: number): { L: Float64Array; jitter: number } {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += a[i * n + i]!;
  mean = n > 0 ? Math.abs(mean / n) || 1 : 1;
  const L = new Float64Array(n * n);
  for (const rel of JITTERS) {
    if (tryCholesky(a, n, rel * mean, L)) return { L, jitter: rel * mean };
  }
  throw new NotPositiveDefiniteError(JITTERS[JITTERS.length - 1]! * mean);
}

function tryCholesky(a: Float64Array, n: number, jitter: number, L: Float64Array): boolean {
  L.fill(0);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j]! - dot(L, ri, L, rj, j);
      if (i === j) {
        s += jitter;
        if (!(s > 0) || !Number.isFinite(s)) return false;
        L[ri + i] = Math.sqrt(s);
      } else {
        L[ri + j] = s / L[rj + j]!;
      }
    }
  }
  return true;
}

/** y[iy+k] += a·x[ix+k] for k < len, four at a time. */
function axpy(a: number, x: Float64Array, ix: number, y: Float64Array, iy: number, len: number): void {
  let k = 0;
  for (; k + 3 < len; k += 4) {
    y[iy + k] = y[iy + k]! + a * x[ix + k]!;
    y[iy + k + 1] = y[iy + k + 1]! + a * x[ix + k + 1]!;
    y[iy + k + 2] = y[iy + k + 2]! + a * x[ix + k + 2]!;
    y[iy + k + 3] = y[iy + k + 3]! + a * x[ix + k + 3]!;
  }
  for (; k < len; k++) y[iy + k] = y[iy + k]! + a * x[ix + k]!;
}

/** Σ_{k<len} a[ia+k]·b[ib+k], four at a time (about a third faster in V8 than the plain loop). */
function dot(a: Float64Array, ia: number, b: Float64Array, ib: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < len; k += 4) {
    s0 += a[ia + k]! * b[ib + k]!;
    s1 += a[ia + k + 1]! * b[ib + k + 1]!;
    s2 += a[ia + k + 2]! * b[ib + k + 2]!;
    s3 += a[ia + k + 3]! * b[ib + k + 3]!;
  }
  for (; k < len; k++) s0 += a[ia + k]! * b[ib + k]!;
  return s0 + s1 + s2 + s3;
}

/** Solves L·x = b (forward substitution). */
export function solveLower(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    x[i] = (b[i]! - dot(L, ri, x, 0, i)) / L[ri + i]!;
  }
  return x;
}

/** Solves Lᵀ·x = b (back substitution, sweeping rows of L so memory is read in order). */
export function solveUpperT(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const x = Float64Array.from({ length: n }, (_, i) => b[i]!);
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    const xi = x[i]! / L[ri + i]!;
    x[i] = xi;
    for (let k = 0; k < i; k++) x[k] = x[k]! - L[ri + k]! * xi;
  }
  return x;
}

/** Solves (L·Lᵀ)·x = b. */
export function choleskySolve(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  return solveUpperT(L, n, solveLower(L, n, b));
}

/** Solves L·X = B for m right-hand sides; B and X are row-major n×m. */
export function solveLowerMany(L: Float64Array, n: number, B: Float64Array, m: number): Float64Array {
  const X = new Float64Array(B);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    const xi = i * m;
    for (let k = 0; k < i; k++) {
      const l = L[ri + k]!;
      if (l === 0) continue;
      const xk = k * m;
      for (let c = 0; c < m; c++) X[xi + c] = X[xi + c]! - l * X[xk + c]!;
    }
    const d = L[ri + i]!;
    for (let c = 0; c < m; c++) X[xi + c] = X[xi + c]! / d;
  }
  return X;
}

/** A⁻¹ from its Cholesky factor (symmetric, row-major n×n), in about n³/3 multiplications. */
export function inverseFromCholesky(L: Float64Array, n: number): Float64Array {
  // M = L⁻¹ is lower triangular: row i of M solves against rows k < i, and only its columns ≤ i are non-zero.
  const M = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let k = 0; k < i; k++) {
      const l = L[ri + k]!;
      if (l === 0) continue;
      axpy(-l, M, k * n, M, ri, k + 1);
    }
    M[ri + i] = 1;
    const d = L[ri + i]!;
    for (let c = 0; c <= i; c++) M[ri + c] = M[ri + c]! / d;
  }
  // A⁻¹ = MᵀM: (A⁻¹)_ij = Σ_{k ≥ max(i,j)} M_ki·M_kj, accumulated row by row of M.
  const out = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const rk = k * n;
    for (let i = 0; i <= k; i++) {
      const v = M[rk + i]!;
      if (v === 0) continue;
      axpy(v, M, rk, out, i * n, i + 1);
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[j * n + i] = out[i * n + j]!;
  return out;
}

/** log det(A) from its Cholesky factor. */
export function logDetFromCholesky(L: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(L[i * n + i]!);
  return 2 * s;
}

/**
 * The factor of [[A, B], [Bᵀ, C]] from the factor L of A (n×n), the cross block B (n×m, row-major) and C (m×m):
 * O(n²m) instead of refactoring. Used to add fantasy observations at pending points.
 */
export function extendCholesky(
  L: Float64Array,
  n: number,
  B: Float64Array,
  C: Float64Array,
  m: number,
): Float64Array {
  const N = n + m;
  const out = new Float64Array(N * N);
  for (let i = 0; i < n; i++) out.set(L.subarray(i * n, i * n + i + 1), i * N);
  // Lower-left block S = (L⁻¹B)ᵀ, then the Schur complement C − SSᵀ is factored.
  const V = solveLowerMany(L, n, B, m);
  const schur = new Float64Array(m * m);
  for (let r = 0; r < m; r++) {
    for (let c = 0; c <= r; c++) {
      let s = C[r * m + c]!;
      for (let k = 0; k < n; k++) s -= V[k * m + r]! * V[k * m + c]!;
      schur[r * m + c] = s;
      schur[c * m + r] = s;
    }
  }
  const { L: Ls } = cholesky(schur, m);
  for (let r = 0; r < m; r++) {
    const row = (n + r) * N;
    for (let k = 0; k < n; k++) out[row + k] = V[k * m + r]!;
    for (let c = 0; c <= r; c++) out[row + n + c] = Ls[r * m + c]!;
  }
  return out;
}
