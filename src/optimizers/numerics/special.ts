/**
 * Special functions for the acquisition functions, accurate to ~1e-14 relative over the whole double range:
 * erfc and the scaled erfcx(x) = exp(x²)·erfc(x), the standard normal pdf, cdf and log-cdf, log1mexp.
 *
 * erfc is computed from its Maclaurin series for |x| < 1.5 (no cancellation there) and from the Laplace continued
 * fraction, evaluated bottom-up with a fixed depth, above; erfcx never forms exp(x²) for large x, so log Φ(z) stays
 * finite far into the tail where Φ(z) itself underflows.
 */

const SQRT_PI = Math.sqrt(Math.PI);
const SQRT2 = Math.SQRT2;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const SERIES_LIMIT = 1.5;

/** erf(x) by its Maclaurin series; used for |x| < 1.5 only. */
function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 60; n++) {
    term *= -x2 / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return (2 / SQRT_PI) * sum;
}

/** erfcx(x) for x ≥ 1.5 by the continued fraction 1/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))). */
function erfcxFraction(x: number): number {
  // Depth chosen so the truncation error is below 1e-15 at the low end of each range (checked in the spec).
  const depth = x < 2 ? 110 : x < 3 ? 55 : x < 5 ? 30 : x < 10 ? 16 : 8;
  let f = x;
  for (let k = depth; k >= 1; k--) f = x + k / 2 / f;
  return 1 / (SQRT_PI * f);
}

/** exp(x²)·erfc(x); Infinity below about −26.6, where it overflows. */
export function erfcx(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= SERIES_LIMIT) return erfcxFraction(x);
  if (x > -SERIES_LIMIT) return Math.exp(x * x) * (1 - erfSeries(x));
  if (x < -26.7) return Infinity;
  return 2 * Math.exp(x * x) - erfcxFraction(-x);
}

export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x >= SERIES_LIMIT) return x > 27.3 ? 0 : Math.exp(-x * x) * erfcxFraction(x);
  if (x > -SERIES_LIMIT) return 1 - erfSeries(x);
  return 2 - erfc(-x);
}

export function erf(x: number): number {
  if (x < 0) return -erf(-x);
  return x < SERIES_LIMIT ? erfSeries(x) : 1 - erfc(x);
}

/** Standard normal density φ(z). */
export function normalPdf(z: number): number {
  return Math.exp(-0.5 * z * z - LOG_SQRT_2PI);
}

export function logNormalPdf(z: number): number {
  return -0.5 * z * z - LOG_SQRT_2PI;
}

/** Standard normal distribution function Φ(z). */
export function normalCdf(z: number): number {
  return 0.5 * erfc(-z / SQRT2);
}

/** log Φ(z), finite for every finite z. */
export function logNormalCdf(z: number): number {
  if (z > -1) return Math.log1p(-0.5 * erfc(z / SQRT2));
  return Math.log(0.5 * erfcx(-z / SQRT2)) - 0.5 * z * z;
}

/** Mills ratio of the lower tail, Φ(z)/φ(z), without underflow: √(π/2)·erfcx(−z/√2). */
export function lowerMillsRatio(z: number): number {
  return Math.sqrt(Math.PI / 2) * erfcx(-z / SQRT2);
}

/** log(1 − exp(w)) for w < 0, accurate on both sides of −ln 2. */
export function log1mexp(w: number): number {
  return w > -Math.LN2 ? Math.log(-Math.expm1(w)) : Math.log1p(-Math.exp(w));
}
