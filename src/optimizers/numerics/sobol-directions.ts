/**
 * Direction numbers for Sobol' sequences, derived here rather than copied from a table: primitive polynomials over
 * GF(2) in order of degree, and for each new dimension the initial direction numbers m₁…m_s (odd, m_k < 2^k) chosen
 * among a fixed set of candidates to minimize the t-values of its two-dimensional projections with every earlier
 * dimension (the criterion of Joe and Kuo, SIAM J. Sci. Comput. 30, 2008). Deterministic: the same dimension always
 * gets the same numbers. Dimensions are built on first use and cached.
 */
import { SeededRandom } from '../../common/seeded-random.js';

export const SOBOL_BITS = 32;
/** Resolutions (log2 of the number of points) at which projections are scored. */
const SCORED_RESOLUTIONS = [4, 6, 8, 10, 12];
const CANDIDATES = 24;

const cache: Uint32Array[] = [];
const polynomials: { degree: number; inner: number }[] = [];
let searchedDegree = 0;

/** The direction numbers v₁…v₃₂ (as 32-bit fractions) of dimension `dim` (0-based). */
export function directionNumbers(dim: number): Uint32Array {
  while (cache.length <= dim) cache.push(buildDimension(cache.length));
  return cache[dim]!;
}

function buildDimension(dim: number): Uint32Array {
  if (dim === 0) return Uint32Array.from({ length: SOBOL_BITS }, (_, k) => 2 ** (SOBOL_BITS - 1 - k));
  const poly = primitivePolynomial(dim - 1);
  const rng = new SeededRandom(0x50b01 + dim);
  let best: Uint32Array | undefined;
  let bestScore = Infinity;
  for (let c = 0; c < CANDIDATES; c++) {
    const m = Array.from({ length: poly.degree }, (_, k) => (c === 0 ? 1 : 2 * rng.int(0, 2 ** k - 1) + 1));
    const v = fromInitial(poly.degree, poly.inner, m);
    const score = projectionScore(v, dim);
    if (score < bestScore) [best, bestScore] = [v, score];
  }
  return best!;
}

/** v_k from m₁…m_s by the recurrence of the polynomial x^s + a₁x^{s−1} + … + a_{s−1}x + 1. */
function fromInitial(s: number, inner: number, initial: number[]): Uint32Array {
  const m = [...initial];
  for (let k = s; k < SOBOL_BITS; k++) {
    let next = (m[k - s]! ^ (m[k - s]! * 2 ** s)) >>> 0;
    for (let i = 1; i < s; i++) if ((inner >> (s - 1 - i)) & 1) next = (next ^ (m[k - i]! * 2 ** i)) >>> 0;
    m.push(next);
  }
  return Uint32Array.from(m, (mk, k) => mk * 2 ** (SOBOL_BITS - 1 - k));
}

/** Σ over earlier dimensions and scored resolutions of the t-value of the two-dimensional projection. */
function projectionScore(v: Uint32Array, dim: number): number {
  const mine = topRows(v);
  let score = 0;
  for (let j = 0; j < dim; j++) {
    const other = rowCache[j] ?? (rowCache[j] = topRows(directionNumbers(j)));
    for (const m of SCORED_RESOLUTIONS) score += tValueOfRows(other, mine, m);
  }
  return score;
}

const MAX_RESOLUTION = SCORED_RESOLUTIONS[SCORED_RESOLUTIONS.length - 1]!;
const rowCache: Int32Array[] = [];

/**
 * Row r of the generator matrix at the largest scored resolution: bit r (from the top) of v₁…v_M as an M-bit mask
 * (bit k for v_{k+1}); the matrix at resolution m < M is the same rows masked to their m low bits.
 */
function topRows(v: Uint32Array): Int32Array {
  const out = new Int32Array(MAX_RESOLUTION);
  for (let r = 0; r < MAX_RESOLUTION; r++) {
    let mask = 0;
    for (let k = 0; k < MAX_RESOLUTION; k++) if ((v[k]! >>> (SOBOL_BITS - 1 - r)) & 1) mask |= 1 << k;
    out[r] = mask;
  }
  return out;
}

/** t-value of the 2-D digital net of 2^m points: m minus the largest q with every split d₁+d₂=q independent. */
export function tValue(a: Uint32Array, b: Uint32Array, m: number): number {
  if (m > MAX_RESOLUTION) throw new RangeError(`resolution ${m} above ${MAX_RESOLUTION}`);
  return tValueOfRows(topRows(a), topRows(b), m);
}

const basis = new Int32Array(32);

function tValueOfRows(ra: Int32Array, rb: Int32Array, m: number): number {
  const low = (1 << m) - 1;
  for (let q = m; q > 0; q--) {
    let ok = true;
    for (let d1 = 0; d1 <= q && ok; d1++) {
      basis.fill(0, 0, m);
      for (let i = 0; i < q && ok; i++) {
        let v = (i < d1 ? ra[i]! : rb[i - d1]!) & low;
        while (v !== 0) {
          const top = 31 - Math.clz32(v);
          if (basis[top] === 0) {
            basis[top] = v;
            break;
          }
          v ^= basis[top]!;
        }
        if (v === 0) ok = false;
      }
    }
    if (ok) return m - q;
  }
  return m;
}

/** The i-th primitive polynomial of degree ≥ 1 over GF(2), ordered by degree then by coefficients. */
function primitivePolynomial(i: number): { degree: number; inner: number } {
  while (polynomials.length <= i) {
    searchedDegree++;
    for (let inner = 0; inner < 2 ** (searchedDegree - 1); inner++) {
      if (isPrimitive(2 ** searchedDegree + inner * 2 + 1, searchedDegree))
        polynomials.push({ degree: searchedDegree, inner });
    }
  }
  return polynomials[i]!;
}

/** x has order 2^s − 1 modulo p. */
function isPrimitive(p: number, s: number): boolean {
  const order = 2 ** s - 1;
  if (powX(order, p, s) !== 1) return false;
  for (const q of primeFactors(order)) if (powX(order / q, p, s) === 1) return false;
  return true;
}

/** x^e mod p over GF(2), p of degree s ≤ 30. */
function powX(e: number, p: number, s: number): number {
  let result = 1;
  let base = reduce(2, p, s);
  while (e > 0) {
    if (e % 2 === 1) result = mulMod(result, base, p, s);
    base = mulMod(base, base, p, s);
    e = Math.floor(e / 2);
  }
  return result;
}

function mulMod(a: number, b: number, p: number, s: number): number {
  let r = 0;
  while (b) {
    if (b & 1) r ^= a;
    b >>>= 1;
    a <<= 1;
    if (a & (1 << s)) a ^= p;
  }
  return r;
}

function reduce(a: number, p: number, s: number): number {
  for (let bit = 31 - Math.clz32(a); bit >= s; bit--) if (a & (1 << bit)) a ^= p << (bit - s);
  return a;
}

function primeFactors(n: number): number[] {
  const out: number[] = [];
  for (let f = 2; f * f <= n; f++) {
    if (n % f === 0) out.push(f);
    while (n % f === 0) n /= f;
  }
  if (n > 1) out.push(n);
  return out;
}
