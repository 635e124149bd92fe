/**
 * The initial rate of a kinetic read: the slope of an ordinary least-squares line through the early points
 * (the first `points`, or those up to `until`), with its standard error. Units: signal per time unit of `t`.
 */

export interface LineFit {
  slope: number;
  intercept: number;
  /** Standard error of the slope (needs at least 3 points; 0 for an exact line). */
  slopeSem: number;
  points: number;
}

export function fitLine(t: readonly number[], y: readonly number[]): LineFit | undefined {
  const n = Math.min(t.length, y.length);
  if (n < 2) return undefined;
  let mt = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mt += t[i] as number;
    my += y[i] as number;
  }
  mt /= n;
  my /= n;
  let stt = 0;
  let sty = 0;
  for (let i = 0; i < n; i++) {
    const dt = (t[i] as number) - mt;
    stt += dt * dt;
    sty += dt * ((y[i] as number) - my);
  }
  if (stt === 0) return undefined;
  const slope = sty / stt;
  const intercept = my - slope * mt;
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const r = (y[i] as number) - (intercept + slope * (t[i] as number));
    sse += r * r;
  }
  const slopeSem = n > 2 ? Math.sqrt(sse / (n - 2) / stt) : 0;
  return { slope, intercept, slopeSem, points: n };
}

export interface InitialRateOptions {
  /** Use the first this many points (default: all up to `until`, else 5). */
  points?: number;
  /** Use the points with t ≤ until. */
  until?: number;
}

export function initialRate(
  t: readonly number[],
  y: readonly number[],
  o: InitialRateOptions = {},
): LineFit | undefined {
  const n = Math.min(t.length, y.length);
  let count =
    o.until === undefined ? (o.points ?? 5) : t.slice(0, n).filter((x) => x <= (o.until as number)).length;
  if (o.points !== undefined) count = Math.min(count, o.points);
  count = Math.min(count, n);
  return fitLine(t.slice(0, count), y.slice(0, count));
}
