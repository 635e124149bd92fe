/**
 * Analyzers over series: a measurement that is a list of numbers (a chromatogram trace, a kinetic read, a growth
 * curve), with its time axis from another output (`time:`) or, without one, one sample per second.
 */
import { parseDuration } from '../common/durations.js';
import { convert, parseUnit } from '../common/units.js';
import type { AnalyzerSpec } from '../protocol/campaign.schema.js';
import type { Analysis, Measurements } from './analyzers.js';
import { fitGrowth } from './growth-fit.js';
import { initialRate } from './initial-rate.js';
import { peakArea } from './peak-area.js';

type Series = { t: number[]; y: number[]; timeUnit?: string } | { reason: string };

function series(measurement: string, time: string | undefined, m: Measurements): Series {
  const y = numbers(m.values[measurement]);
  if (!y) return { reason: `measurement ${measurement} is not a list of finite numbers` };
  if (y.length < 2)
    return { reason: `measurement ${measurement} has ${y.length} point(s); a series needs more` };
  if (time === undefined) return { t: y.map((_, i) => i), y, timeUnit: 's' };
  const t = numbers(m.values[time]);
  if (!t) return { reason: `time axis ${time} is not a list of finite numbers` };
  if (t.length !== y.length)
    return { reason: `${time} has ${t.length} points and ${measurement} ${y.length}` };
  return { t, y, timeUnit: m.units[time] };
}

function numbers(v: unknown): number[] | undefined {
  if (!Array.isArray(v) || !v.every((x): x is number => typeof x === 'number' && Number.isFinite(x)))
    return undefined;
  return v;
}

type Of<K extends AnalyzerSpec['analyzer']> = Extract<AnalyzerSpec, { analyzer: K }>;

export function peakAreaOf(a: Of<'peak-area'>, m: Measurements): Analysis {
  const s = series(a.measurement, a.time, m);
  if ('reason' in s) return { ok: false, reason: s.reason };
  const from = a.window?.from ?? s.t[0] ?? 0;
  const to = a.window?.to ?? s.t[s.t.length - 1] ?? 0;
  const r = peakArea(
    s.t,
    s.y,
    { center: (from + to) / 2, halfWidth: (to - from) / 2 },
    a.baseline === 'linear',
  );
  return r
    ? { ok: true, mean: r.area, sem: r.sem }
    : { ok: false, reason: `too few points of ${a.measurement} between ${from} and ${to}` };
}

export function initialRateOf(a: Of<'initial-rate'>, m: Measurements): Analysis {
  const s = series(a.measurement, a.time, m);
  if ('reason' in s) return { ok: false, reason: s.reason };
  let until: number | undefined;
  if (a.window !== undefined) {
    // The window is a duration; the time axis may be in any time unit (seconds when it has none).
    const seconds = (parseDuration(a.window) ?? 0) / 1000;
    const axis = s.timeUnit ? parseUnit(s.timeUnit) : undefined;
    const second = parseUnit('s');
    until = (s.t[0] as number) + (axis && second ? convert(seconds, second, axis) : seconds);
  }
  const fit = initialRate(s.t, s.y, until === undefined ? {} : { until });
  if (!fit || fit.points < 2) return { ok: false, reason: `too few points of ${a.measurement} for a slope` };
  return fit.points > 2 ? { ok: true, mean: fit.slope, sem: fit.slopeSem } : { ok: true, mean: fit.slope };
}

export function growthOf(a: Of<'growth-fit'>, m: Measurements): Analysis {
  const s = series(a.measurement, a.time, m);
  if ('reason' in s) return { ok: false, reason: s.reason };
  const fit = fitGrowth(s.t, s.y, a.model);
  if (!fit)
    return {
      ok: false,
      reason: `no ${a.model} growth curve fits ${a.measurement} (no growth, or too few points)`,
    };
  switch (a.report) {
    case 'rate':
      return { ok: true, mean: fit.muMax, sem: fit.muMaxSem };
    case 'lag':
      return { ok: true, mean: fit.lag, sem: fit.lagSem };
    case 'yield': {
      // The plateau as an OD: OD₀·e^A, its error carried through the exponential.
      const od = fit.od0 * Math.exp(fit.asymptote);
      return { ok: true, mean: od, sem: od * fit.asymptoteSem };
    }
  }
}
