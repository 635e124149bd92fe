/**
 * The faults of one simulated instrument at run time, independent of its transport (MQTT or OPC UA): which
 * commands are affected and how, whether the instrument is blocked by a clog, how far a reading has drifted, and
 * when it drops off the network. The transport asks at each command and applies the answer.
 *
 * Per-command faults (late, silent, error, garbage replies, stuck) affect the next `count` commands once triggered
 * (default 1), or every command while `for` lasts. State faults (offline, drift, clog/jam, garbage telemetry) hold
 * from their trigger until `for` ends or the `clearedBy` action runs. Every change is logged with its lab time, so a
 * test can assert what happened, in order.
 */
import type { Clock, Timer } from '../../src/common/clock.js';
import { deriveSeed, SeededRandom } from '../../src/common/seeded-random.js';
import { faultSpec, type FaultKind, type FaultSpec, type FaultSpecInput } from './fault-script.schema.js';

export type CommandEffect =
  | { kind: 'drop' }
  | { kind: 'late'; delayMs: number }
  | { kind: 'error'; status: 'failed' | 'rejected'; code: string; message: string }
  | { kind: 'garbage' }
  | { kind: 'stuck' };

/** What the transport does when a state fault starts or ends. */
export interface FaultListener {
  offline(): void;
  online(): void;
  /** A clog, jam or stuck state began or ended: republish the state. */
  changed(): void;
}

export interface FaultEvent {
  /** Lab time, ms. */
  t: number;
  instrument: string;
  fault: FaultKind;
  event: 'triggered' | 'affected' | 'ended' | 'cleared';
  action?: string;
}

interface Active {
  spec: FaultSpec;
  armAt: number;
  seen: number;
  triggeredAt?: number;
  remaining?: number;
  endsAt?: number;
  ended: boolean;
  /** Removed by its clearing action (a drift's bias is gone too). */
  cleared: boolean;
  timers: Timer[];
}

const PER_COMMAND: ReadonlySet<FaultKind> = new Set(['late', 'silent', 'error', 'stuck']);

export class InstrumentFaults {
  private readonly active: Active[] = [];
  private readonly rng: SeededRandom;
  private listener?: FaultListener;
  private readonly events: FaultEvent[] = [];
  private hangRelease?: () => void;

  constructor(
    private readonly o: {
      instrument: string;
      specs?: readonly FaultSpec[];
      clock: Clock;
      seed: number;
      /** Lab time the script's `at` counts from (default: now). */
      startedAt?: number;
    },
  ) {
    this.rng = new SeededRandom(deriveSeed(o.seed, o.instrument, 'faults'));
    const start = o.startedAt ?? o.clock.now();
    for (const spec of o.specs ?? []) this.add(spec, start);
  }

  get instrument(): string {
    return this.o.instrument;
  }

  /** Everything that happened so far, in order. */
  get log(): readonly FaultEvent[] {
    return this.events;
  }

  /** Connects the transport; time-triggered faults due already fire now. */
  attach(listener: FaultListener): void {
    this.listener = listener;
    for (const a of this.active) this.schedule(a);
  }

  detach(): void {
    this.listener = undefined;
    for (const a of this.active) for (const t of a.timers.splice(0)) t.cancel();
  }

  /** Adds a fault at run time (tests); its `at` counts from now. */
  inject(input: FaultSpecInput | FaultSpec): void {
    const a = this.add(faultSpec(input), this.o.clock.now());
    if (this.listener) this.schedule(a);
  }

  /** Ends every fault at once (a repaired instrument). */
  clearAll(): void {
    for (const a of this.active) if (!a.cleared) this.clear(a);
  }

  /** A command arrived: the effects that apply to it, in the order the transport applies them. */
  onCommand(action: string): CommandEffect[] {
    const now = this.o.clock.now();
    const effects: CommandEffect[] = [];
    for (const a of this.active) {
      if (a.ended || now < a.armAt) continue;
      if (a.triggeredAt === undefined && !this.triggerOnCommand(a, action, now)) continue;
      const effect = this.effectOf(a, action, now);
      if (effect) effects.push(effect);
    }
    const rank = { drop: 0, late: 1, error: 2, garbage: 3, stuck: 4 } as const;
    return effects.sort((x, y) => rank[x.kind] - rank[y.kind]);
  }

  /** A clog or jam refuses `action` (the clearing action itself is let through). */
  blockedBy(action: string): { code: string; message: string } | undefined {
    for (const a of this.active) {
      const s = a.spec;
      if (a.ended || a.triggeredAt === undefined || (s.fault !== 'clog' && s.fault !== 'jam')) continue;
      if (action === s.clearedBy) continue;
      const code = s.code ?? (s.fault === 'clog' ? 'CLOGGED' : 'JAMMED');
      return {
        code,
        message: `${this.o.instrument} is ${blockedWord(s.fault)}; run ${s.clearedBy} to clear it`,
      };
    }
    return undefined;
  }

  /** A stuck fault names this action as its reset: it must run even though the queue is blocked. */
  isReset(action: string): boolean {
    return this.active.some(
      (a) =>
        !a.ended && a.spec.fault === 'stuck' && a.triggeredAt !== undefined && a.spec.clearedBy === action,
    );
  }

  /** An action finished: faults it clears (clog, jam, drift, stuck) end. */
  onActionDone(action: string): void {
    for (const a of this.active) {
      if (a.cleared || a.triggeredAt === undefined) continue;
      if ('clearedBy' in a.spec && a.spec.clearedBy === action) this.clear(a, action);
    }
  }

  /** The state a clog, jam or stuck fault imposes, if any. */
  condition(): { state: 'error' | 'busy'; detail: string } | undefined {
    for (const a of this.active) {
      if (a.ended || a.triggeredAt === undefined) continue;
      const s = a.spec;
      if (s.fault === 'clog' || s.fault === 'jam')
        return { state: 'error', detail: `${blockedWord(s.fault)}: run ${s.clearedBy}` };
    }
    return undefined;
  }

  /** Bias added to `reading` at lab time `now` by drift faults. */
  bias(reading: string, now = this.o.clock.now()): number {
    let total = 0;
    for (const a of this.active) {
      const s = a.spec;
      if (s.fault !== 'drift' || s.reading !== reading || a.triggeredAt === undefined || a.cleared) continue;
      const until = Math.min(now, a.endsAt ?? Infinity);
      total += (s.rate * Math.max(0, until - a.triggeredAt)) / 3_600_000;
    }
    return total;
  }

  /** Telemetry is garbage right now. */
  garbageTelemetry(): boolean {
    return this.active.some(
      (a) =>
        !a.ended &&
        a.triggeredAt !== undefined &&
        a.spec.fault === 'garbage' &&
        a.spec.target === 'telemetry',
    );
  }

  /** Resolves when the stuck fault holding the running command ends (by `for` or its reset action). */
  waitUnstuck(): Promise<void> {
    return new Promise((resolve) => {
      this.hangRelease = resolve;
      if (!this.active.some((a) => !a.ended && a.spec.fault === 'stuck')) this.releaseHang();
    });
  }

  private add(spec: FaultSpec, start: number): Active {
    const a: Active = { spec, armAt: start + spec.at, seen: 0, ended: false, cleared: false, timers: [] };
    this.active.push(a);
    return a;
  }

  /** Time-triggered faults (no `on`, no probability) start at their arming time. */
  private schedule(a: Active): void {
    if (a.ended || a.triggeredAt !== undefined || a.spec.on || a.spec.probability !== undefined) return;
    // Triggered on the dot: a state fault starts, a per-command fault affects the commands that follow.
    const now = this.o.clock.now();
    if (a.armAt <= now) return this.trigger(a, now);
    a.timers.push(this.o.clock.setTimer(a.armAt - now, () => this.trigger(a, this.o.clock.now())));
  }

  private triggerOnCommand(a: Active, action: string, now: number): boolean {
    const s = a.spec;
    if (s.on) {
      if (s.on.action && s.on.action !== action) return false;
      if (++a.seen < s.on.nth) return false;
      this.trigger(a, now, action);
      return true;
    }
    if (s.probability !== undefined) {
      if (s.action && s.action !== action) return false;
      if (this.rng.next() >= s.probability) return false;
      this.trigger(a, now, action);
      return true;
    }
    // Time-triggered, its timer not yet run at this very instant.
    this.trigger(a, now);
    return true;
  }

  private trigger(a: Active, now: number, action?: string): void {
    if (a.triggeredAt !== undefined || a.ended) return;
    const s = a.spec;
    a.triggeredAt = now;
    if (PER_COMMAND.has(s.fault) || (s.fault === 'garbage' && s.target === 'reply'))
      a.remaining = s.count ?? (s.for !== undefined && s.fault !== 'stuck' ? undefined : 1);
    this.log_(a, 'triggered', action);
    if (s.for !== undefined) {
      a.endsAt = now + s.for;
      a.timers.push(this.o.clock.setTimer(s.for, () => this.end(a)));
    }
    if (s.fault === 'offline') this.listener?.offline();
    if (s.fault === 'clog' || s.fault === 'jam' || s.fault === 'stuck') this.listener?.changed();
  }

  private effectOf(a: Active, action: string, now: number): CommandEffect | undefined {
    const s = a.spec;
    const perCommand = PER_COMMAND.has(s.fault) || (s.fault === 'garbage' && s.target === 'reply');
    if (s.fault === 'offline' && a.triggeredAt === now && s.on) return { kind: 'drop' };
    if (!perCommand) return undefined;
    if (a.remaining !== undefined && a.remaining <= 0) return undefined;
    if (a.remaining !== undefined) a.remaining--;
    this.log_(a, 'affected', action);
    let effect: CommandEffect;
    switch (s.fault) {
      case 'late':
        effect = { kind: 'late', delayMs: s.delay };
        break;
      case 'silent':
        effect = { kind: 'drop' };
        break;
      case 'error':
        effect = { kind: 'error', status: s.status, code: s.code, message: s.message };
        break;
      case 'stuck':
        effect = { kind: 'stuck' };
        break;
      default:
        effect = { kind: 'garbage' };
    }
    // Probability faults affect one command per draw; a spent count ends the fault.
    if (s.probability !== undefined && (s.count === undefined || (a.remaining ?? 1) > 0)) {
      a.triggeredAt = undefined;
    } else if (a.remaining === 0 && s.fault !== 'stuck') {
      this.end(a);
    }
    return effect;
  }

  /** The fault is over (its `for` ran out or its count is spent); a drift keeps the bias it reached. */
  private end(a: Active): void {
    if (a.ended) return;
    a.ended = true;
    for (const t of a.timers.splice(0)) t.cancel();
    if (a.spec.fault === 'drift') a.endsAt = Math.min(a.endsAt ?? Infinity, this.o.clock.now());
    this.log_(a, 'ended');
    this.afterEnd(a);
  }

  /** Its clearing action ran (maintenance, calibration, reset): nothing of it is left. */
  private clear(a: Active, action?: string): void {
    a.cleared = true;
    this.log_(a, 'cleared', action);
    if (a.ended) return;
    a.ended = true;
    for (const t of a.timers.splice(0)) t.cancel();
    this.afterEnd(a);
  }

  private afterEnd(a: Active): void {
    if (a.triggeredAt === undefined) return;
    const kind = a.spec.fault;
    if (kind === 'offline') this.listener?.online();
    if (kind === 'stuck') this.releaseHang();
    if (kind === 'clog' || kind === 'jam' || kind === 'stuck') this.listener?.changed();
  }

  private releaseHang(): void {
    const release = this.hangRelease;
    this.hangRelease = undefined;
    release?.();
  }

  private log_(a: Active, event: FaultEvent['event'], action?: string): void {
    this.events.push({
      t: this.o.clock.now(),
      instrument: this.o.instrument,
      fault: a.spec.fault,
      event,
      ...(action ? { action } : {}),
    });
  }
}

function blockedWord(kind: 'clog' | 'jam'): string {
  return kind === 'clog' ? 'clogged' : 'jammed';
}
