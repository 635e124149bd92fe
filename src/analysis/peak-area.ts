/**
 * The area of a chromatogram peak: trapezoidal integral over a retention-time window, above a straight baseline
 * drawn between the window's edges (each edge the mean of a few points, so baseline noise does not tilt it).
 * The standard error comes from the baseline noise, estimated from the edge points.
 */

export interface PeakWindow {
  /** Retention time of the peak and half-width of the window, in the chromatogram's time unit. */
  center: number;
  halfWidth: number;
}

export interface PeakArea {
  area: number;
  sem: number;
  /** Time of the highest point above the baseline inside the window. */
  apex: number;
}

const EDGE_POINTS = 3;

export function peakArea(
  t: readonly number[],
  signal: readonly number[],
  w: PeakWindow,
): PeakArea | undefined {
  const lo = w.center - w.halfWidth;
  const hi = w.center + w.halfWidth;
  const idx: number[] = [];
  for (let i = 0; i < Math.min(t.length, signal.length); i++) {
    const ti = t[i] as number;
    if (ti >= lo && ti <= hi) idx.push(i);
  }
  if (idx.length < 2 * EDGE_POINTS + 1) return undefined;
  const first = idx.slice(0, EDGE_POINTS);
  const last = idx.slice(-EDGE_POINTS);
  const mean = (ix: number[], a: readonly number[]): number =>
    ix.reduce((s, i) => s + (a[i] as number), 0) / ix.length;
  const t0 = mean(first, t);
  const t1 = mean(last, t);
  const b0 = mean(first, signal);
  const b1 = mean(last, signal);
  const baseline = (x: number): number => b0 + ((b1 - b0) * (x - t0)) / (t1 - t0);
  let area = 0;
  let apex = t[idx[0] as number] as number;
  let top = -Infinity;
  for (let k = 1; k < idx.length; k++) {
    const i = idx[k] as number;
    const j = idx[k - 1] as number;
    const hi_ = (signal[i] as number) - baseline(t[i] as number);
    const hj = (signal[j] as number) - baseline(t[j] as number);
    area += (((t[i] as number) - (t[j] as number)) * (hi_ + hj)) / 2;
    if (hi_ > top) {
      top = hi_;
      apex = t[i] as number;
    }
  }
  // Noise: the spread of the edge points around the baseline; integrated white noise grows as sqrt(n)·dt·σ.
  const edges = [...first, ...last];
  const sigma = Math.sqrt(
    edges.reduce((s, i) => s + ((signal[i] as number) - baseline(t[i] as number)) ** 2, 0) /
      Math.max(1, edges.length - 2),
  );
  const dt =
    ((t[idx[idx.length - 1] as number] as number) - (t[idx[0] as number] as number)) / (idx.length - 1);
  return { area, sem: sigma * dt * Math.sqrt(idx.length), apex };
}
