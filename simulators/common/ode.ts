/**
 * An adaptive Runge–Kutta (Dormand–Prince 5(4)) integrator, the method behind scipy's solve_ivp(RK45), for the
 * simulators' kinetic models. Integrates y' = f(t, y) from t0 to t1 and returns y(t1).
 */

export type Derivative = (t: number, y: readonly number[]) => number[];

export interface OdeOptions {
  rtol?: number;
  atol?: number;
  /** Refuse to take more steps than this (a stiff or divergent model is a bug, not a hang). */
  maxSteps?: number;
}

const C = [0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1, 1];
const A: number[][] = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
const B5 = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0];
const B4 = [5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40];

export function integrate(
  f: Derivative,
  y0: readonly number[],
  t0: number,
  t1: number,
  o: OdeOptions = {},
): number[] {
  const rtol = o.rtol ?? 1e-6;
  const atol = o.atol ?? 1e-9;
  const maxSteps = o.maxSteps ?? 100_000;
  const n = y0.length;
  let t = t0;
  let y = [...y0];
  let h = (t1 - t0) / 100;
  for (let step = 0; step < maxSteps; step++) {
    if (t >= t1) return y;
    if (t + h > t1) h = t1 - t;
    const k: number[][] = [];
    for (let s = 0; s < 7; s++) {
      const ys = y.map(
        (yi, i) =>
          yi + h * (A[s] ?? []).reduce((acc, a, j) => acc + a * ((k[j] as number[])[i] as number), 0),
      );
      k.push(f(t + (C[s] as number) * h, ys));
    }
    let err = 0;
    const next = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      let y5 = y[i] as number;
      let y4 = y[i] as number;
      for (let s = 0; s < 7; s++) {
        const ks = (k[s] as number[])[i] as number;
        y5 += h * (B5[s] as number) * ks;
        y4 += h * (B4[s] as number) * ks;
      }
      next[i] = y5;
      const scale = atol + rtol * Math.max(Math.abs(y[i] as number), Math.abs(y5));
      err = Math.max(err, Math.abs(y5 - y4) / scale);
    }
    if (err <= 1) {
      t += h;
      y = next;
    }
    const factor = err === 0 ? 5 : Math.min(5, Math.max(0.2, 0.9 * err ** -0.2));
    h *= factor;
  }
  throw new Error(`ODE integration did not reach t=${t1} in ${maxSteps} steps`);
}
