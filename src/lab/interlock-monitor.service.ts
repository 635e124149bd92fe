/**
 * Watches the interlocks of every lab the registry has loaded, on live readings and link changes. A trip, in this
 * order and within the reading's callback: latches (the registry refuses every new command to the lab's instruments
 * from then on), is journaled (durable; re-applied at boot), holds every running or paused campaign of the lab, and
 * — for `then: abort` — sends the contract's abort to each instrument of the lab. Nothing clears a trip but `reset`,
 * refused while the condition holds or cannot be known; a reset never resumes a campaign.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import { CampaignRunner } from '../campaign/campaign-runner.service.js';
import { CampaignService } from '../campaign/campaign.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { describeError, LabError } from '../common/lab-error.js';
import type { LabSpec } from '../protocol/lab.schema.js';
import { Journal } from '../store/journal.service.js';
import { RecordsRepository } from '../store/records.repository.js';
import type { CampaignRecord } from '../store/store.records.js';
import { InstrumentRegistry } from './instrument-registry.service.js';
import {
  evaluateInterlock,
  InterlockWatch,
  interlocksOf,
  type InterlockAction,
  type ReadingState,
} from './interlock-evaluator.js';
import { InterlockLatch } from './interlock-latch.js';

export interface InterlockView {
  name: string;
  lab: string;
  when: string;
  then: InterlockAction | null;
  description: string | null;
  /** armed: watching · pending: the condition holds, its hold time runs · tripped: latched until reset. */
  state: 'armed' | 'pending' | 'tripped';
  /** When it tripped (tripped) or since when the condition has held (pending); null when armed. */
  since: string | null;
  /** Why it tripped (tripped), else what the readings say now. */
  detail: string;
  /** The condition on the readings as they are now. */
  condition: 'holds' | 'clear' | 'unknown';
  /** Its lab's instruments are loaded and watched (false for a trip re-applied from the journal only). */
  watched: boolean;
  lastReset: { at: string; by: string } | null;
}

@Injectable()
export class InterlockMonitor implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('interlocks');
  /** By `lab/name`. */
  private readonly watches = new Map<string, InterlockWatch>();
  private readonly followed = new Map<string, Subscription>();
  private readonly loadedLabs = new Set<string>();
  private readonly labNames = new Map<string, string>();
  private labs?: Subscription;

  constructor(
    private readonly instruments: InstrumentRegistry,
    private readonly latch: InterlockLatch,
    private readonly journal: Journal,
    private readonly records: RecordsRepository,
    private readonly campaigns: CampaignService,
    private readonly runner: CampaignRunner,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Before any campaign is resumed at boot: trips latched before the restart are latched again. */
  onModuleInit(): void {
    const labs = new Set<string>();
    for (const t of this.records.latchedTrips()) {
      this.latch.set({
        name: t.name,
        lab: t.lab,
        action: t.action,
        detail: t.detail,
        trippedAt: t.trippedAt,
      });
      labs.add(t.lab);
      this.logger.warn(
        `interlock ${t.name} of lab ${t.lab} is still tripped (${t.detail}); reset it when safe`,
      );
    }
    // A crash between a trip and the holds it causes: hold now, before the supervisor relaunches anything.
    for (const lab of labs) this.holdCampaigns(lab, `interlock of lab ${lab} still tripped at restart`);
    this.labs = this.instruments.labs$.subscribe((lab) => this.arm(lab));
  }

  onApplicationShutdown(): void {
    this.labs?.unsubscribe();
    for (const s of this.followed.values()) s.unsubscribe();
    this.followed.clear();
    for (const w of this.watches.values()) w.dispose();
    this.watches.clear();
  }

  list(): InterlockView[] {
    const out: InterlockView[] = [];
    const lastReset = new Map(
      this.records
        .lastTrips()
        .filter((t) => t.resetAt !== null)
        .map((t) => [`${t.lab}/${t.name}`, { at: iso(t.resetAt ?? 0), by: t.resetBy ?? '' }]),
    );
    for (const [key, w] of this.watches) {
      this.refresh(w);
      const v = w.verdict;
      const since = w.state === 'tripped' ? w.trippedAt : w.state === 'pending' ? w.since : undefined;
      out.push({
        name: w.def.name,
        lab: w.def.lab,
        when: w.def.when,
        then: w.def.action,
        description: w.def.description ?? null,
        state: w.state,
        since: since === undefined ? null : iso(since),
        detail: w.state === 'tripped' ? (w.tripDetail ?? v.detail) : v.detail,
        condition: v.unknown ? 'unknown' : v.active ? 'holds' : 'clear',
        watched: true,
        lastReset: lastReset.get(key) ?? null,
      });
    }
    for (const t of this.records.latchedTrips()) {
      if (this.watches.has(`${t.lab}/${t.name}`)) continue;
      out.push({
        name: t.name,
        lab: t.lab,
        when: t.condition,
        then: t.action,
        description: null,
        state: 'tripped',
        since: iso(t.trippedAt),
        detail: t.detail,
        condition: 'unknown',
        watched: false,
        lastReset: lastReset.get(`${t.lab}/${t.name}`) ?? null,
      });
    }
    return out;
  }

  /**
   * Clears a tripped interlock (by a person: `by`) once its condition is known to be clear. Campaigns it held stay
   * held: each needs its own resume. `lab` tells interlocks of the same name in different labs apart.
   */
  reset(name: string, by: string, o: { lab?: string; reason?: string } = {}): InterlockView {
    const matches = this.list().filter((v) => v.name === name && (o.lab === undefined || v.lab === o.lab));
    if (matches.length === 0)
      throw new LabError('NOT_FOUND', `no interlock ${name}${o.lab ? ` in lab ${o.lab}` : ''}`, 'name');
    if (matches.length > 1)
      throw new LabError(
        'CONFLICT',
        `labs ${matches.map((m) => m.lab).join(', ')} each have an interlock ${name}; name the lab`,
        'lab',
      );
    const view = matches[0] as InterlockView;
    const key = `${view.lab}/${view.name}`;
    if (view.state !== 'tripped')
      throw new LabError('CONFLICT', `interlock ${name} of lab ${view.lab} is ${view.state}, not tripped`);
    const w = this.watches.get(key);
    if (w) {
      this.refresh(w);
      const refusal = w.resetRefusal();
      if (refusal !== undefined) throw new LabError('INTERLOCK_TRIPPED', `cannot reset ${name}: ${refusal}`);
    } else if (!this.loadedLabs.has(view.lab)) {
      // A trip re-applied from the journal whose lab is not connected: nothing shows that it cleared.
      throw new LabError(
        'INTERLOCK_TRIPPED',
        `cannot reset ${name}: lab ${view.lab} is not loaded, so its readings cannot be checked; start its campaign's lab or list it in instruments.labs`,
      );
    }
    // (A latched trip whose lab is loaded without that interlock any more: the lab file was changed; it may go.)
    this.journal.write((tx) => tx.resetInterlock(view.lab, view.name, by, o.reason));
    w?.reset();
    this.latch.clear(view.lab, view.name);
    this.logger.log(`interlock ${name} of lab ${view.lab} reset by ${by}; held campaigns stay held`);
    return this.list().find((v) => v.lab === view.lab && v.name === view.name) as InterlockView;
  }

  /** Starts watching the interlocks of a lab (again, when its interlocks changed; latched trips stay latched). */
  private arm(lab: LabSpec): void {
    this.loadedLabs.add(lab.name);
    for (const [key, w] of this.watches)
      if (w.def.lab === lab.name) {
        w.dispose();
        this.watches.delete(key);
      }
    for (const def of interlocksOf(lab)) {
      const w: InterlockWatch = new InterlockWatch(def, this.clock, (detail) => this.trip(w, detail));
      const latched = this.latch.trippedIn(lab.name).find((t) => t.name === def.name);
      if (latched) w.restore(latched.trippedAt, latched.detail);
      this.watches.set(`${def.lab}/${def.name}`, w);
      for (const [instrument] of def.parsed.readings) this.follow(instrument);
      this.refresh(w);
      this.logger.log(`interlock ${def.name} of lab ${lab.name} armed: ${def.when} → ${def.action}`);
    }
  }

  private follow(instrument: string): void {
    if (this.followed.has(instrument)) return;
    const inst = this.instruments.get(instrument);
    if (!inst) return;
    const sub = inst.driver.readings$.subscribe((r) => this.onChange(instrument, r.name));
    sub.add(inst.driver.status$.subscribe(() => this.onChange(instrument)));
    this.followed.set(instrument, sub);
  }

  private onChange(instrument: string, reading?: string): void {
    for (const w of this.watches.values()) {
      if (
        w.def.parsed.readings.some(([i, r]) => i === instrument && (reading === undefined || r === reading))
      )
        this.refresh(w);
    }
  }

  private refresh(w: InterlockWatch): void {
    w.update(evaluateInterlock(w.def, (i, r) => this.reading(i, r)));
  }

  private reading(instrument: string, name: string): ReadingState {
    const driver = this.instruments.get(instrument)?.driver;
    const r = driver?.latestReadings().find((x) => x.name === name);
    if (!driver || !r) return { state: 'unseen' };
    const s = driver.status();
    if (!r.valid || !s.link || !s.online) return { state: 'invalid' };
    return { state: 'valid', value: r.value };
  }

  private trip(w: InterlockWatch, detail: string): void {
    const def = w.def;
    // First, synchronously: from here on the registry refuses every new command to the lab's instruments.
    this.latch.set({ name: def.name, lab: def.lab, action: def.action, detail, trippedAt: this.clock.now() });
    this.logger.error(`interlock ${def.name} of lab ${def.lab} tripped (${def.when}): ${detail}`);
    try {
      this.journal.write((tx) =>
        tx.tripInterlock({ name: def.name, lab: def.lab, condition: def.when, action: def.action, detail }),
      );
    } catch (e) {
      this.logger.error(`interlock ${def.name}: the trip could not be journaled: ${describeError(e)}`);
    }
    this.holdCampaigns(def.lab, `interlock ${def.name} tripped: ${detail}`);
    if (def.action === 'abort') {
      for (const inst of this.instruments.list().filter((i) => i.lab === def.lab)) {
        this.instruments
          .abort(inst.id)
          .then((d) => {
            if (!d.delivered) this.logger.error(`interlock ${def.name}: abort to ${inst.id}: ${d.reason}`);
          })
          .catch((e: unknown) =>
            this.logger.error(`interlock ${def.name}: abort to ${inst.id}: ${describeError(e)}`),
          );
      }
    }
  }

  private holdCampaigns(lab: string, reason: string): void {
    for (const c of [...this.records.campaigns('running'), ...this.records.campaigns('paused')]) {
      if (this.labOf(c) !== lab) continue;
      try {
        this.campaigns.hold(c.id, reason);
      } catch (e) {
        this.logger.error(`interlock: cannot hold campaign ${c.name}: ${describeError(e)}`);
      }
    }
  }

  private labOf(c: CampaignRecord): string | undefined {
    const known = this.labNames.get(c.labHash);
    if (known !== undefined) return known;
    try {
      const name = this.runner.storedDocument(c).lab.spec.name;
      this.labNames.set(c.labHash, name);
      return name;
    } catch (e) {
      this.logger.warn(`campaign ${c.name}: cannot tell its lab: ${describeError(e)}`);
      return undefined;
    }
  }
}

function iso(t: number): string {
  return new Date(t).toISOString();
}
