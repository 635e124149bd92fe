/**
 * The Matern-5/2 kernel with one lengthscale per input (ARD) and an output scale:
 * k(x, x') = s·(1 + √5·r + 5r²/3)·exp(−√5·r), r² = Σ_d (x_d − x'_d)²/ℓ_d².
 * Points are rows of a row-major Float64Array (n × dim), inputs already scaled to [0, 1].
 */

export const SQRT5 = Math.sqrt(5);

export interface KernelParams {
  lengthscales: Float64Array;
  outputscale: number;
}

/** Matern-5/2 correlation at scaled distance r. */
export function matern52(r: number): number {
  const a = SQRT5 * r;
  return (1 + a + (a * a) / 3) * Math.exp(-a);
}

/**
 * (1/r)·d/dr of the correlation, times −1: the factor g(r) = (5/3)(1 + √5·r)·exp(−√5·r) such that
 * ∂k/∂x_d = −s·g(r)·(x_d − x'_d)/ℓ_d² and ∂k/∂(log ℓ_d) = s·g(r)·(x_d − x'_d)²/ℓ_d². Finite at r = 0.
 */
export function matern52Slope(r: number): number {
  return (5 / 3) * (1 + SQRT5 * r) * Math.exp(-SQRT5 * r);
}

/** Scaled distance between row i of A and row j of B. */
export function scaledDistance(
  A: Float64Array,
  i: number,
  B: Float64Array,
  j: number,
  dim: number,
  inverseLengthscales: Float64Array,
): number {
  let s = 0;
  const ai = i * dim;
  const bj = j * dim;
  for (let d = 0; d < dim; d++) {
    const t = (A[ai + d]! - B[bj + d]!) * inverseLengthscales[d]!;
    s += t * t;
  }
  return Math.sqrt(s);
}

/** The n×n kernel matrix of X (no noise). */
export function kernelMatrix(X: Float64Array, n: number, dim: number, p: KernelParams): Float64Array {
  const inv = inverse(p.lengthscales);
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    K[i * n + i] = p.outputscale;
    for (let j = 0; j < i; j++) {
      const k = p.outputscale * matern52(scaledDistance(X, i, X, j, dim, inv));
      K[i * n + j] = k;
      K[j * n + i] = k;
    }
  }
  return K;
}

/** Cross covariances K(X, Z) as a row-major n×m matrix (one column per point of Z). */
export function crossKernel(
  X: Float64Array,
  n: number,
  Z: Float64Array,
  m: number,
  dim: number,
  p: KernelParams,
): Float64Array {
  const inv = inverse(p.lengthscales);
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < m; c++)
      out[i * m + c] = p.outputscale * matern52(scaledDistance(X, i, Z, c, dim, inv));
  return out;
}

export function inverse(v: Float64Array): Float64Array {
  return Float64Array.from(v, (x) => 1 / x);
}
