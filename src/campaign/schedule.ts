/**
 * When a campaign may start experiments: inside its run windows (default: always) and outside maintenance blocks —
 * weekly windows in the schedule's time zone (`mon–fri 08:00–20:00`; a `to` before `from` runs past midnight) and
 * dated blocks. Computed from lab time (the injected clock), so it works the same on a virtual clock. Experiments
 * already running finish; only starts are gated.
 */
import type { ScheduleSpec } from '../protocol/campaign.schema.js';

const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
type Day = (typeof DAYS)[number];
const MINUTE = 60_000;
/** How far ahead to look for the next opening: a week and a day covers every weekly pattern. */
const HORIZON_MS = 8 * 24 * 3_600_000;

interface Weekly {
  days: readonly string[];
  from: string;
  to: string;
  reason?: string;
}

interface Dated {
  start: string;
  end: string;
  reason?: string;
}

export interface ScheduleState {
  open: boolean;
  /** Why it is closed. */
  reason?: string;
  /** Lab time of the next change (closed: when it opens), if one comes within the horizon. */
  next?: number;
}

export class Schedule {
  private readonly format: Intl.DateTimeFormat;
  private readonly dated: { start: number; end: number; reason?: string }[];

  constructor(private readonly spec: ScheduleSpec | undefined) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: spec?.timezone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    this.dated = (spec?.maintenance ?? [])
      .filter((m): m is Dated => 'start' in m)
      .map((m) => ({ start: this.parseLocal(m.start), end: this.parseLocal(m.end), reason: m.reason }));
  }

  /** Whether an experiment may start at lab time `t`, and when that changes. */
  at(t: number): ScheduleState {
    const closed = this.closedReason(t);
    if (closed === undefined) return { open: true };
    for (let u = Math.floor(t / MINUTE) * MINUTE + MINUTE; u <= t + HORIZON_MS; u += MINUTE) {
      if (this.closedReason(u) === undefined) return { open: false, reason: closed, next: u };
    }
    return { open: false, reason: closed };
  }

  private closedReason(t: number): string | undefined {
    if (!this.spec) return undefined;
    for (const d of this.dated)
      if (t >= d.start && t < d.end) return `maintenance${d.reason ? `: ${d.reason}` : ''}`;
    const { day, minutes } = this.local(t);
    for (const m of this.spec.maintenance) {
      if ('days' in m && inWeekly(m, day, minutes)) return `maintenance${m.reason ? `: ${m.reason}` : ''}`;
    }
    const windows = this.spec.windows;
    if (windows && !windows.some((w) => inWeekly(w, day, minutes))) return 'outside the run windows';
    return undefined;
  }

  private local(t: number): { day: Day; minutes: number } {
    const parts = this.format.formatToParts(new Date(t));
    const get = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
    const day = get('weekday').toLowerCase().slice(0, 3) as Day;
    return { day, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
  }

  /** An ISO date-time without an offset is read in the schedule's time zone (to the minute). */
  private parseLocal(text: string): number {
    if (/[zZ]|[+-]\d\d:?\d\d$/.test(text)) return Date.parse(text);
    const guess = Date.parse(`${text}Z`);
    // Shift by the zone's offset at that moment: the local clock reading at `guess` vs the text.
    const { minutes } = this.local(guess);
    const wanted = new Date(guess).getUTCHours() * 60 + new Date(guess).getUTCMinutes();
    let delta = minutes - wanted;
    if (delta > 720) delta -= 1440;
    if (delta < -720) delta += 1440;
    return guess - delta * MINUTE;
  }
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/** Inside a weekly window; one whose `to` is before its `from` runs into the next day. */
function inWeekly(w: Weekly, day: Day, minutes: number): boolean {
  const from = toMinutes(w.from);
  const to = toMinutes(w.to);
  if (from < to) return w.days.includes(day) && minutes >= from && minutes < to;
  const previous = DAYS[(DAYS.indexOf(day) + 6) % 7] as Day;
  return (w.days.includes(day) && minutes >= from) || (w.days.includes(previous) && minutes < to);
}
