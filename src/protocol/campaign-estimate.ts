/**
 * For `labloop plan`: example parameters (the middle of each range, inside the constraints) and an estimate of a
 * campaign's duration from one experiment's timeline — experiments in parallel, instruments shared, schedule windows.
 */
import { formatDuration } from '../common/durations.js';
import { deriveSeed, SeededRandom } from '../common/seeded-random.js';
import { compileConstraint, satisfiesAll } from '../optimizers/constraints.js';
import { sampleParams } from '../optimizers/space/space-model.js';
import type { Constraint, ParamValue } from '../optimizers/strategy.port.js';
import type { CampaignSpec, ParameterSpec } from './campaign.schema.js';
import type { Timeline } from './plan-timeline.js';

/** The middle of each range (geometric for log scales), the first choice of categories; `set` overrides. */
export function exampleParameters(
  spec: Pick<CampaignSpec, 'parameters' | 'constraints'>,
  set: Readonly<Record<string, ParamValue>> = {},
): { params: Record<string, ParamValue>; note?: string } {
  const names = Object.keys(spec.parameters);
  const constraints = spec.constraints
    .map((c) => compileConstraint(c, names))
    .flatMap((r): Constraint[] => (r.ok ? [r.constraint] : []));
  const middle: Record<string, ParamValue> = {};
  for (const [name, p] of Object.entries(spec.parameters)) middle[name] = set[name] ?? mid(p);
  if (satisfiesAll(constraints, middle)) return { params: middle };
  const rng = new SeededRandom(deriveSeed(0, 'plan'));
  for (let i = 0; i < 2000; i++) {
    const p = { ...sampleParams(spec.parameters, rng), ...set };
    if (satisfiesAll(constraints, p))
      return { params: p, note: 'the middle of the ranges breaks a constraint: a point inside them' };
  }
  return { params: middle, note: 'no point found inside the constraints: showing the middle of the ranges' };
}

function mid(p: ParameterSpec): ParamValue {
  if (p.type === 'categorical') return p.choices[0] as ParamValue;
  const m = p.log ? Math.sqrt(p.min * p.max) : (p.min + p.max) / 2;
  return p.type === 'int' ? Math.round(m) : m;
}

export interface CampaignEstimate {
  experimentMs: number;
  totalMs: number;
  /** The instrument that limits throughput, if any. */
  bottleneck?: { instrument: string; busyMs: number };
  lines: string[];
}

export function estimateCampaign(
  spec: Pick<CampaignSpec, 'budget' | 'parallel' | 'schedule'>,
  t: Timeline,
  capacity: (instrument: string) => number,
): CampaignEstimate {
  const n = spec.budget.experiments;
  const p = spec.parallel;
  let bottleneck: CampaignEstimate['bottleneck'];
  for (const [instrument, busy] of Object.entries(t.busy)) {
    const perSlot = busy / Math.max(1, capacity(instrument));
    if (!bottleneck || perSlot > bottleneck.busyMs) bottleneck = { instrument, busyMs: perSlot };
  }
  const byWaves = Math.ceil(n / p) * t.total;
  const byInstrument = bottleneck ? n * bottleneck.busyMs : 0;
  const totalMs = Math.max(byWaves, byInstrument);
  const lines = [
    `one experiment: ${formatDuration(t.total)}${t.unknown.length > 0 ? ' plus what only the run can tell' : ''}`,
    `campaign: ${n} experiment${n === 1 ? '' : 's'}, ${p} at a time: about ${formatDuration(totalMs)}${
      byInstrument > byWaves && bottleneck
        ? ` (${bottleneck.instrument} is busy ${formatDuration(bottleneck.busyMs)} per experiment)`
        : ''
    }`,
  ];
  const open = weeklyOpenHours(spec.schedule);
  if (open !== undefined && open < 168)
    lines.push(
      `it runs only in its schedule windows (${Math.round(open)} h a week): about ${formatDuration((totalMs * 168) / Math.max(1, open))} of calendar time`,
    );
  if (t.unknown.length > 0) lines.push(`not counted: ${t.unknown.join('; ')}`);
  return { experimentMs: t.total, totalMs, ...(bottleneck ? { bottleneck } : {}), lines };
}

function weeklyOpenHours(s: CampaignSpec['schedule']): number | undefined {
  if (!s?.windows) return undefined;
  let hours = 0;
  for (const w of s.windows) {
    const [fh, fm] = w.from.split(':').map(Number);
    const [th, tm] = w.to.split(':').map(Number);
    let span = (th ?? 0) + (tm ?? 0) / 60 - ((fh ?? 0) + (fm ?? 0) / 60);
    if (span <= 0) span += 24;
    hours += span * w.days.length;
  }
  return Math.min(168, hours);
}
