/**
 * Interlocks, evaluated: the verdict of one interlock on the readings as they are now, and the watch that turns
 * verdicts into a latched trip. Pure apart from the injected clock (the `for` hold time runs on it), so it is tested
 * on a hand-moved clock.
 *
 * Fail-safe rules: a watched reading made invalid (link or instrument lost), a value the condition cannot be
 * evaluated on, or a reading of the wrong type counts as the condition being true. A reading never seen yet (the
 * daemon just started, the instrument has not reported) is *unknown*: it does not trip, but an interlock cannot be
 * reset while one of its readings is unknown, since nothing shows the condition has cleared.
 */
import type { Clock, Timer } from '../common/clock.js';
import { formatDuration } from '../common/durations.js';
import { evaluateNode } from '../common/expression.js';
import { formatValue, quantity, truthy, type Value } from '../common/quantity.js';
import { parseInterlock, type ParsedInterlock } from '../protocol/interlock.js';
import type { InterlockSpec, LabSpec } from '../protocol/lab.schema.js';

export type InterlockAction = 'hold' | 'abort';

export interface InterlockDefinition {
  /** Unique within its lab (the `name:` key, or `interlock-<n>` by position). */
  name: string;
  lab: string;
  /** The `when:` text as written. */
  when: string;
  action: InterlockAction;
  description?: string;
  parsed: ParsedInterlock;
  /** Unit of each watched reading (`instrument.reading`), from the lab file. */
  units: Record<string, string | undefined>;
}

/** What the monitor knows of one reading: never seen, its last valid value, or invalid (link lost). */
export type ReadingState = { state: 'unseen' } | { state: 'valid'; value: unknown } | { state: 'invalid' };

export interface Verdict {
  /** The condition holds (or a reading is invalid or cannot be evaluated): the interlock wants to trip. */
  active: boolean;
  /** A watched reading has not been seen yet: not active, but not known to be clear either. */
  unknown: boolean;
  /** Why, in a lab engineer's words: the values read, or what is missing. */
  detail: string;
}

/** The interlocks a lab file declares, parsed. Unparseable ones are skipped here: `labloop validate` reports them. */
export function interlocksOf(lab: LabSpec): InterlockDefinition[] {
  const out: InterlockDefinition[] = [];
  lab.interlocks.forEach((spec: InterlockSpec, i) => {
    const parsed = parseInterlock(spec.when);
    if (!parsed.ok) return;
    const units: Record<string, string | undefined> = {};
    for (const [instrument, reading] of parsed.interlock.readings)
      units[`${instrument}.${reading}`] = lab.instruments[instrument]?.readings[reading]?.unit;
    out.push({
      name: interlockName(spec, i),
      lab: lab.name,
      when: spec.when,
      action: spec.then,
      ...(spec.description ? { description: spec.description } : {}),
      parsed: parsed.interlock,
      units,
    });
  });
  return out;
}

export function interlockName(spec: { name?: string }, index: number): string {
  return spec.name ?? `interlock-${index + 1}`;
}

/** The verdict of `def` on the readings `lookup` gives. */
export function evaluateInterlock(
  def: InterlockDefinition,
  lookup: (instrument: string, reading: string) => ReadingState,
): Verdict {
  const values = new Map<string, Value>();
  const invalid: string[] = [];
  const unseen: string[] = [];
  for (const [instrument, reading] of def.parsed.readings) {
    const key = `${instrument}.${reading}`;
    const r = lookup(instrument, reading);
    if (r.state === 'invalid') invalid.push(key);
    else if (r.state === 'unseen') unseen.push(key);
    else
      values.set(key, typeof r.value === 'number' ? quantity(r.value, def.units[key]) : (r.value as Value));
  }
  if (invalid.length > 0)
    return { active: true, unknown: false, detail: `${invalid.join(', ')}: no valid reading (link lost)` };
  if (unseen.length > 0)
    return { active: false, unknown: true, detail: `no reading yet of ${unseen.join(', ')}` };
  const shown = [...values].map(([k, v]) => `${k} = ${formatValue(v)}`).join(', ');
  try {
    const v = evaluateNode(def.parsed.condition, (path) => values.get(`${path[0] ?? ''}.${path[1] ?? ''}`));
    return { active: truthy(v), unknown: false, detail: shown };
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { active: true, unknown: false, detail: `cannot evaluate (${why})${shown ? `: ${shown}` : ''}` };
  }
}

export type WatchState = 'armed' | 'pending' | 'tripped';

/**
 * One interlock's state over time. `update` is called with each new verdict; an active verdict trips at once, or
 * after it has stayed active for the hold time (timed on the clock). Once tripped, it stays tripped whatever the
 * readings do, until `reset` — which is refused while the condition holds or cannot be known.
 */
export class InterlockWatch {
  private _state: WatchState = 'armed';
  private activeSince?: number;
  private timer?: Timer;
  private last: Verdict = { active: false, unknown: true, detail: 'not evaluated yet' };
  private _trippedAt?: number;
  private _tripDetail?: string;

  constructor(
    readonly def: InterlockDefinition,
    private readonly clock: Clock,
    private readonly onTrip: (detail: string) => void,
  ) {}

  get state(): WatchState {
    return this._state;
  }
  get verdict(): Verdict {
    return this.last;
  }
  get trippedAt(): number | undefined {
    return this._trippedAt;
  }
  get tripDetail(): string | undefined {
    return this._tripDetail;
  }
  /** Lab time since which the condition has held (pending or tripped), if it holds now. */
  get since(): number | undefined {
    return this.activeSince;
  }

  /** A trip recorded earlier (before a restart): latched again without calling `onTrip`. */
  restore(trippedAt: number, detail: string): void {
    this.cancelTimer();
    this._state = 'tripped';
    this._trippedAt = trippedAt;
    this._tripDetail = detail;
  }

  update(v: Verdict): void {
    this.last = v;
    if (!v.active) {
      this.activeSince = undefined;
      this.cancelTimer();
      if (this._state === 'pending') this._state = 'armed';
      return;
    }
    if (this.activeSince === undefined) this.activeSince = this.clock.now();
    if (this._state !== 'armed') return;
    const holdMs = this.def.parsed.holdMs;
    if (holdMs <= 0) return this.trip(v.detail);
    this._state = 'pending';
    const left = this.activeSince + holdMs - this.clock.now();
    this.timer = this.clock.setTimer(Math.max(0, left), () => {
      this.timer = undefined;
      if (this._state === 'pending' && this.last.active)
        this.trip(`${this.last.detail} (for ${formatDuration(holdMs)})`);
    });
  }

  /** Why the latch may not be cleared now (the condition holds or cannot be known); undefined when it may. */
  resetRefusal(): string | undefined {
    if (this._state !== 'tripped') return `interlock ${this.def.name} is not tripped`;
    if (this.last.active) return `"${this.def.when}" still holds: ${this.last.detail}`;
    if (this.last.unknown) return `cannot tell that it cleared: ${this.last.detail}`;
    return undefined;
  }

  /** Clears the latch if the condition is known to be clear; otherwise says why not. */
  reset(): { ok: true } | { ok: false; reason: string } {
    const refusal = this.resetRefusal();
    if (refusal !== undefined) return { ok: false, reason: refusal };
    this._state = 'armed';
    this._trippedAt = undefined;
    this._tripDetail = undefined;
    return { ok: true };
  }

  dispose(): void {
    this.cancelTimer();
  }

  private trip(detail: string): void {
    this.cancelTimer();
    this._state = 'tripped';
    this._trippedAt = this.clock.now();
    this._tripDetail = detail;
    this.onTrip(detail);
  }

  private cancelTimer(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
}
