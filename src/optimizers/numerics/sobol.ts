/**
 * Scrambled Sobol' points by random access: point k of a `dims`-dimensional sequence is the XOR of the direction
 * numbers selected by the Gray code of k, so the k-th suggestion of a strategy is computed directly from (seed, k).
 * Scrambling is a random linear matrix scramble plus a digital shift (as scipy's default), which keeps the
 * net properties, removes the point at the origin and makes different seeds give independent designs.
 */
import { SeededRandom } from '../../common/seeded-random.js';
import { directionNumbers, SOBOL_BITS } from './sobol-directions.js';

const TWO_32 = 2 ** 32;

export class SobolSequence {
  private readonly directions: Uint32Array[];
  private readonly shifts: Uint32Array;

  /** `seed` undefined: the plain (unscrambled) sequence, starting at the origin. */
  constructor(
    readonly dims: number,
    seed?: number,
  ) {
    const rng = seed === undefined ? undefined : new SeededRandom(seed);
    this.directions = Array.from({ length: dims }, (_, d) =>
      rng ? scramble(directionNumbers(d), rng) : directionNumbers(d),
    );
    this.shifts = Uint32Array.from({ length: dims }, () => (rng ? rng.nextUint32() : 0));
  }

  /** Point k (0-based) in [0, 1)^dims. */
  point(k: number): Float64Array {
    if (!Number.isInteger(k) || k < 0 || k >= TWO_32) throw new RangeError(`Sobol index ${k} out of range`);
    const gray = (k ^ Math.floor(k / 2)) >>> 0;
    const out = new Float64Array(this.dims);
    for (let d = 0; d < this.dims; d++) {
      const v = this.directions[d]!;
      let x = this.shifts[d]!;
      for (let bit = 0, g = gray; g !== 0; bit++, g >>>= 1) if (g & 1) x = (x ^ v[bit]!) >>> 0;
      out[d] = x / TWO_32;
    }
    return out;
  }

  /** Points start, start+1, …, start+count−1. */
  points(start: number, count: number): Float64Array[] {
    return Array.from({ length: count }, (_, i) => this.point(start + i));
  }
}

/** Left-multiplies each direction number by a random lower-triangular bit matrix with a unit diagonal. */
function scramble(v: Uint32Array, rng: SeededRandom): Uint32Array {
  // Row r (bit r counted from the top) may mix in bits above it.
  const rows = Array.from({ length: SOBOL_BITS }, (_, r) => {
    const above = r === 0 ? 0 : (rng.nextUint32() >>> (SOBOL_BITS - r)) << (SOBOL_BITS - r);
    return (above | (1 << (SOBOL_BITS - 1 - r))) >>> 0;
  });
  return v.map((value) => {
    let out = 0;
    for (let r = 0; r < SOBOL_BITS; r++)
      if (parity((rows[r]! & value) >>> 0)) out |= 1 << (SOBOL_BITS - 1 - r);
    return out >>> 0;
  });
}

function parity(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  x ^= x >>> 2;
  x ^= x >>> 1;
  return x & 1;
}
