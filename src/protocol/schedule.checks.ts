/**
 * Checks a campaign's schedule (windows, maintenance blocks, time zone) and its controls (re-run the incumbent or
 * fixed values every N experiments or every so long). Running them is the loop's job; here they must make sense.
 */
import type { PathKey } from '../common/schema-messages.js';
import { didYouMean } from '../common/suggest.js';
import { satisfiesAll } from '../optimizers/constraints.js';
import type { Constraint } from '../optimizers/strategy.port.js';
import type { ControlSpec, ParameterSpec, ScheduleSpec } from './campaign.schema.js';
import type { Finding } from './lab.checks.js';

const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/;

export function checkSchedule(s: ScheduleSpec): Finding[] {
  const out: Finding[] = [];
  if (s.timezone !== undefined && !validTimeZone(s.timezone))
    out.push({
      path: ['schedule', 'timezone'],
      message: `unknown time zone "${s.timezone}"; write e.g. Europe/Berlin or UTC`,
    });
  (s.windows ?? []).forEach((w, i) => out.push(...checkWeekly(w, ['schedule', 'windows', i])));
  s.maintenance.forEach((m, i) => {
    const at = ['schedule', 'maintenance', i];
    if ('from' in m) {
      out.push(...checkWeekly(m, at));
      return;
    }
    const start = dateOf(m.start);
    const end = dateOf(m.end);
    if (start === undefined)
      out.push({
        path: [...at, 'start'],
        message: `expected a date and time such as 2026-03-02T06:00, got "${m.start}"`,
      });
    if (end === undefined)
      out.push({
        path: [...at, 'end'],
        message: `expected a date and time such as 2026-03-02T12:00, got "${m.end}"`,
      });
    if (start !== undefined && end !== undefined && end <= start)
      out.push({
        path: [...at, 'end'],
        message: `expected an end after the start (${m.start}), got ${m.end}`,
      });
  });
  return out;
}

function checkWeekly(w: { days: string[]; from: string; to: string }, at: PathKey[]): Finding[] {
  const out: Finding[] = [];
  if (w.from === w.to)
    out.push({ path: [...at, 'to'], message: `the window is empty: it ends when it starts (${w.from})` });
  const seen = new Set<string>();
  w.days.forEach((d, i) => {
    if (seen.has(d)) out.push({ path: [...at, 'days', i], message: `"${d}" is listed twice` });
    seen.add(d);
  });
  return out;
}

const zones = new Map<string, boolean>();

function validTimeZone(tz: string): boolean {
  let ok = zones.get(tz);
  if (ok === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: tz });
      ok = true;
    } catch {
      ok = false;
    }
    if (zones.size < 1000) zones.set(tz, ok);
  }
  return ok;
}

function dateOf(text: string): number | undefined {
  if (!DATE_TIME.test(text)) return undefined;
  const t = Date.parse(text);
  return Number.isNaN(t) ? undefined : t;
}

export function checkControls(
  controls: readonly ControlSpec[],
  parameters: Readonly<Record<string, ParameterSpec>> | undefined,
  constraints: readonly Constraint[],
): Finding[] {
  const out: Finding[] = [];
  controls.forEach((c, i) => {
    const at = ['controls', i];
    if (c.every === undefined && c.interval === undefined)
      out.push({ path: at, message: 'expected when it runs: every: <experiments> or interval: <time>' });
    if (c.every !== undefined && c.interval !== undefined)
      out.push({ path: [...at, 'interval'], message: 'give every or interval, not both', atKey: true });
    if (c.run === 'incumbent' || !parameters) return;
    const names = Object.keys(parameters);
    let ok = true;
    for (const [name, value] of Object.entries(c.run)) {
      const p = parameters[name];
      const where = [...at, 'run', name];
      if (!p) {
        out.push({ path: where, message: `not a parameter${didYouMean(name, names)}`, atKey: true });
        ok = false;
      } else if (p.type === 'categorical') {
        if (!p.choices.includes(value)) {
          out.push({
            path: where,
            message: `expected one of ${p.choices.map((x) => JSON.stringify(x)).join(', ')}, got ${JSON.stringify(value)}`,
          });
          ok = false;
        }
      } else if (
        typeof value !== 'number' ||
        value < p.min ||
        value > p.max ||
        (p.type === 'int' && !Number.isInteger(value))
      ) {
        out.push({
          path: where,
          message: `expected ${p.type === 'int' ? 'an integer' : 'a number'} in ${p.min}..${p.max}, got ${JSON.stringify(value)}`,
        });
        ok = false;
      }
    }
    for (const name of names)
      if (!(name in c.run)) {
        out.push({ path: [...at, 'run'], message: `missing parameter "${name}"` });
        ok = false;
      }
    if (ok && !satisfiesAll(constraints, c.run))
      out.push({ path: [...at, 'run'], message: "these values break the campaign's constraints" });
  });
  return out;
}
