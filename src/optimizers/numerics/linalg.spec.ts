import {
  cholesky,
  choleskySolve,
  extendCholesky,
  inverseFromCholesky,
  logDetFromCholesky,
  NotPositiveDefiniteError,
  solveLower,
  solveLowerMany,
  solveUpperT,
} from './linalg.js';

const mat = (rows: number[][]): Float64Array => Float64Array.from(rows.flat());

/** A random symmetric positive definite matrix: GGᵀ + n·I. */
function spd(n: number, seed: number): Float64Array {
  let s = seed;
  const rnd = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
  const G = Array.from({ length: n * n }, rnd);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let v = i === j ? n : 0;
      for (let k = 0; k < n; k++) v += G[i * n + k]! * G[j * n + k]!;
      A[i * n + j] = v;
    }
  return A;
}

function matmul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += a[i * n + k]! * b[k * n + j]!;
      out[i * n + j] = s;
    }
  return out;
}

function transpose(a: Float64Array, n: number): Float64Array {
  return Float64Array.from({ length: n * n }, (_, k) => a[(k % n) * n + Math.floor(k / n)]!);
}

describe('Cholesky and triangular solves', () => {
  it('factors a known matrix exactly', () => {
    // Textbook example: [[4,12,-16],[12,37,-43],[-16,-43,98]] = L·Lᵀ with L = [[2,0,0],[6,1,0],[-8,5,3]].
    const { L, jitter } = cholesky(
      mat([
        [4, 12, -16],
        [12, 37, -43],
        [-16, -43, 98],
      ]),
      3,
    );
    expect(jitter).toBe(0);
    expect(Array.from(L)).toEqual([2, 0, 0, 6, 1, 0, -8, 5, 3]);
    expect(logDetFromCholesky(L, 3)).toBeCloseTo(Math.log(36), 12);
  });

  it('reconstructs random SPD matrices and solves systems with them', () => {
    for (const n of [1, 5, 40]) {
      const A = spd(n, n);
      const { L } = cholesky(A, n);
      const back = matmul(L, transpose(L, n), n);
      for (let k = 0; k < n * n; k++) expect(back[k]).toBeCloseTo(A[k]!, 9);
      const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
      const x = choleskySolve(L, n, b);
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += A[i * n + j]! * x[j]!;
        expect(s).toBeCloseTo(b[i]!, 9);
      }
      const inv = inverseFromCholesky(L, n);
      const eye = matmul(A, inv, n);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) expect(eye[i * n + j]).toBeCloseTo(i === j ? 1 : 0, 9);
    }
  });

  it('solves L·x = b and Lᵀ·x = b, and many right-hand sides at once', () => {
    const L = mat([
      [2, 0, 0],
      [6, 1, 0],
      [-8, 5, 3],
    ]);
    expect(Array.from(solveLower(L, 3, [2, 7, 0]))).toEqual([1, 1, 1]);
    // Lᵀ·[1,1,1] = [0, 6, 3]
    expect(Array.from(solveUpperT(L, 3, [0, 6, 3]))).toEqual([1, 1, 1]);
    const B = Float64Array.from([2, 4, 7, 14, 0, 0]); // columns [2,7,0] and [4,14,0]
    expect(Array.from(solveLowerMany(L, 3, B, 2))).toEqual([1, 2, 1, 2, 1, 2]);
  });

  it('adds jitter to a singular matrix and reports how much', () => {
    const ones = new Float64Array(9).fill(1); // rank one
    const { L, jitter } = cholesky(ones, 3);
    expect(jitter).toBeGreaterThan(0);
    expect(jitter).toBeLessThanOrEqual(1e-4);
    expect(L.every(Number.isFinite)).toBe(true);
  });

  it('refuses an indefinite matrix', () => {
    expect(() =>
      cholesky(
        mat([
          [1, 2],
          [2, 1],
        ]),
        2,
      ),
    ).toThrow(NotPositiveDefiniteError);
  });

  it('extends a factor by new rows exactly as refactoring would', () => {
    const N = 12;
    const n = 9;
    const m = N - n;
    const A = spd(N, 7);
    const sub = (r0: number, c0: number, rows: number, cols: number): Float64Array =>
      Float64Array.from(
        { length: rows * cols },
        (_, k) => A[(r0 + Math.floor(k / cols)) * N + c0 + (k % cols)]!,
      );
    const { L: Ln } = cholesky(sub(0, 0, n, n), n);
    const extended = extendCholesky(Ln, n, sub(0, n, n, m), sub(n, n, m, m), m);
    const { L: full } = cholesky(A, N);
    for (let k = 0; k < N * N; k++) expect(extended[k]).toBeCloseTo(full[k]!, 10);
  });
});
