/**
 * One running campaign: design → execute → analyze → optimize until a stop rule ends it. Experiments in flight at a
 * restart are picked up where their records left them; the strategy was rebuilt from the stored history before this
 * loop starts. Each turn: check the stop rules and the schedule, fill the free slots (reruns of experiments a crash
 * or an aborting interlock interrupted first, then a control run when one is due, then the strategy's proposals, asked with the pending ones
 * known), and wait for an experiment to end or the schedule to open. Plain code: every side effect goes through the
 * injected services, every state change through the journal (group-committed: experiments in flight share fsyncs).
 */
import { Logger } from '@nestjs/common';
import { type Clock, sleep } from '../common/clock.js';
import { parseDuration } from '../common/durations.js';
import { describeError } from '../common/lab-error.js';
import type { Value } from '../common/quantity.js';
import type { ObjectiveValues, ParamValues } from '../events/event-map.js';
import { analyzeObjectives } from '../analysis/objective.analyzer.js';
import type { ExperimentExecutor } from '../execution/experiment-executor.service.js';
import type { Strategy, Suggestion } from '../optimizers/strategy.port.js';
import type { CampaignDocument } from '../protocol/document.loader.js';
import { inputValues } from '../protocol/campaign-inputs.js';
import type { Journal } from '../store/journal.service.js';
import type { RecordsRepository } from '../store/records.repository.js';
import type { CampaignRecord, ExperimentKind, ExperimentRecord } from '../store/store.records.js';
import type { CampaignStatus, ExperimentStatus } from './campaign-states.js';
import { CampaignTally, controlSuggestionId } from './campaign-tally.js';
import { Schedule } from './schedule.js';
import { stopRule } from './stop-rules.js';

export interface LoopDeps {
  journal: Journal;
  records: RecordsRepository;
  executor: ExperimentExecutor;
  clock: Clock;
}

export type LoopEnd = { status: CampaignStatus; reason?: string };

/** Lab time the loop waits at most before looking at a closed schedule again. */
const SCHEDULE_RECHECK_MS = 3_600_000;

interface NewExperiment {
  suggestionId: string;
  params: ParamValues;
  kind: ExperimentKind;
}

export class CampaignLoop {
  private readonly logger: Logger;
  private readonly drainController = new AbortController();
  private readonly abortController = new AbortController();
  private readonly active = new Map<string, Promise<void>>();
  private readonly schedule: Schedule;
  private readonly controlIntervals: (number | undefined)[];
  private tally!: CampaignTally;
  /** Reruns the recovery policy stored for interrupted experiments, waiting for a free slot. */
  private readonly queued: ExperimentRecord[] = [];
  /** Set when something held the campaign (a step's policy, already journaled, or the recovery policy). */
  private heldReason?: string;
  /** The schedule's last closed reason, so a wait is logged once, not every turn. */
  private waitingFor?: string;

  constructor(
    private readonly deps: LoopDeps,
    private readonly campaign: CampaignRecord,
    private readonly doc: CampaignDocument,
    private readonly strategy: Strategy,
  ) {
    this.logger = new Logger(`campaign:${campaign.name}`);
    this.schedule = new Schedule(doc.spec.schedule);
    this.controlIntervals = doc.spec.controls.map((c) =>
      c.interval ? parseDuration(c.interval) : undefined,
    );
  }

  /** Finish running steps, start nothing new; experiments stay as they are and resume at the next start. */
  drain(): void {
    this.drainController.abort(new Error('draining'));
  }

  /** Stop now: running commands are aborted on the instruments. */
  abort(): void {
    this.abortController.abort(new Error('campaign aborted'));
    this.drain();
  }

  async run(): Promise<LoopEnd> {
    const { records, clock } = this.deps;
    const spec = this.doc.spec;
    this.tally = CampaignTally.load(spec, records, this.campaign.id);
    const startedAt = this.campaign.startedAt ?? clock.now();
    for (const e of [...this.tally.open.values()]) this.start(e);
    try {
      for (;;) {
        if (this.drainController.signal.aborted) break;
        const now = clock.now();
        const rule = stopRule(spec, this.tally, now, startedAt);
        if (rule.stop) {
          if (this.active.size === 0) return await this.end(rule.status, rule.reason);
          await this.nextTurn();
          continue;
        }
        const open = this.schedule.at(now);
        if (!open.open) {
          this.noteWaiting(open.reason ?? 'closed', open.next);
          await this.nextTurn(open.next ?? now + SCHEDULE_RECHECK_MS);
          continue;
        }
        this.waitingFor = undefined;
        const started = await this.fillSlots(now);
        if (this.drainController.signal.aborted) break;
        if (this.active.size === 0 && started === 0)
          return await this.end('held', 'the strategy proposed no experiment');
        await this.nextTurn();
      }
    } catch (err) {
      this.logger.error(`stopped by a fault: ${describeError(err)}`);
      this.drain();
      await Promise.allSettled(this.active.values());
      return this.end('held', `fault: ${describeError(err)}`);
    }
    await Promise.allSettled(this.active.values());
    // The hold was journaled with its cause (the step's policy or the recovery decision). Writing it again here
    // would undo an operator's resume made while this loop was still finishing its steps.
    if (this.heldReason !== undefined) return { status: 'held', reason: this.heldReason };
    return { status: 'running', reason: 'drained' };
  }

  /** Starts what the free slots allow; returns how many experiments started. */
  private async fillSlots(now: number): Promise<number> {
    const spec = this.doc.spec;
    let slots = spec.parallel - this.active.size;
    if (slots <= 0) return 0;
    let started = 0;
    for (; slots > 0 && this.queued.length > 0; slots--, started++)
      this.start(this.queued.shift() as ExperimentRecord);
    const wanted: NewExperiment[] = [];
    // The budget counts completed experiments: keep no more in flight than could still complete within it.
    const room = spec.budget.experiments - this.tally.counts.completed - this.tally.inFlight;
    const control = slots > 0 ? this.dueControl(now) : undefined;
    if (control) {
      wanted.push(control);
      slots--;
    }
    const count = Math.min(slots, room);
    if (count > 0) {
      const suggestions = await this.strategy.ask(count, this.tally.pendingSuggestions());
      for (const s of suggestions) wanted.push({ suggestionId: s.id, params: s.params, kind: 'design' });
    }
    // Paused, held or aborted while the strategy was thinking: its proposals are not designed (asked again later).
    if (wanted.length === 0 || this.drainController.signal.aborted) return started;
    const created = await this.deps.journal.commit((tx) =>
      wanted.map((w) =>
        tx.createExperiment(this.campaign.id, ++this.tally.lastSeq, w.suggestionId, w.params, w.kind),
      ),
    );
    for (const e of created) {
      this.tally.designed(e);
      this.start(e);
    }
    return started + created.length;
  }

  /** The first control run that is due: after every N completed experiments, or every so much lab time. */
  private dueControl(now: number): NewExperiment | undefined {
    const spec = this.doc.spec;
    for (const [i, c] of spec.controls.entries()) {
      const state = this.tally.controls[i];
      if (!state) continue;
      const interval = this.controlIntervals[i];
      const byCount = c.every !== undefined && state.designsSince >= c.every;
      const since = state.lastAt ?? this.campaign.startedAt ?? now;
      const byTime = interval !== undefined && now - since >= interval;
      if (!byCount && !byTime) continue;
      const params = c.run === 'incumbent' ? this.tally.best?.params : c.run;
      if (!params) continue; // No incumbent yet: nothing to re-run.
      const n = this.deps.records.controlCount(this.campaign.id) + 1;
      return { suggestionId: controlSuggestionId(i, n), params, kind: 'control' };
    }
    return undefined;
  }

  /** Waits until an experiment ends, the loop is drained, or lab time `until` comes. */
  private async nextTurn(until?: number): Promise<void> {
    const waits: Promise<unknown>[] = [...this.active.values()];
    const stop = new AbortController();
    const drained = this.drainController.signal;
    waits.push(
      new Promise<void>((resolve) => {
        if (drained.aborted) resolve();
        drained.addEventListener('abort', () => resolve(), { once: true, signal: stop.signal });
      }),
    );
    if (until !== undefined)
      waits.push(
        sleep(this.deps.clock, Math.max(0, until - this.deps.clock.now()), stop.signal).catch(() => {}),
      );
    try {
      await Promise.race(waits);
    } finally {
      stop.abort();
    }
  }

  private noteWaiting(reason: string, next: number | undefined): void {
    if (this.waitingFor === reason) return;
    this.waitingFor = reason;
    const until = next === undefined ? '' : ` until ${new Date(next).toISOString()}`;
    this.logger.log(`schedule: ${reason}; no experiment starts${until}`);
  }

  private async end(status: 'completed' | 'held', reason: string): Promise<LoopEnd> {
    await this.deps.journal.commit((tx) => tx.setCampaignStatus(this.campaign.id, status, reason));
    this.logger.log(`${status}: ${reason}${this.tally.best ? `; best ${this.describeBest()}` : ''}`);
    return { status, reason };
  }

  private start(e: ExperimentRecord): void {
    const run = this.runExperiment(e)
      .catch((err: unknown) => this.logger.error(`experiment #${e.seq}: ${describeError(err)}`))
      .finally(() => this.active.delete(e.id));
    this.active.set(e.id, run);
  }

  private async move(e: ExperimentRecord, to: ExperimentStatus, reason?: string): Promise<ExperimentRecord> {
    const moved = await this.deps.journal.commit((tx) => tx.setExperimentStatus(e.id, to, reason));
    this.tally.moved(e, e.status, to);
    return moved;
  }

  private async runExperiment(e: ExperimentRecord): Promise<void> {
    let current = e;
    if (current.status === 'designed') current = await this.move(current, 'running');
    if (current.status !== 'running' && current.status !== 'analyzing') return;
    const control = {
      drain: this.drainController.signal,
      abort: this.abortController.signal,
      onHold: (reason: string) => this.hold(reason),
    };
    const outcome = await this.deps.executor.execute(
      current,
      this.doc.plan,
      this.inputsFor(current.params),
      control,
    );
    switch (outcome.status) {
      case 'suspended':
        return;
      case 'held':
        this.logger.warn(`experiment #${e.seq}: ${outcome.reason}; campaign held for a human`);
        this.hold(outcome.reason);
        return;
      case 'failed':
        return this.fail(current, outcome.reason);
      case 'interrupted':
        return this.interrupt(current, outcome.reason);
      case 'executed':
        break;
    }
    if (current.status === 'running') current = await this.move(current, 'analyzing');
    const analysis = analyzeObjectives(this.doc.spec, { values: outcome.outputs, units: outcome.units });
    if (!analysis.ok) return this.fail(current, `analysis: ${analysis.reason}`);
    const done = current;
    await this.deps.journal.commit((tx) => {
      tx.recordObservation(done, analysis.values);
      tx.setExperimentStatus(done.id, 'completed');
    });
    const incumbent = this.tally.best;
    this.tally.moved(done, done.status, 'completed', analysis.values);
    if (done.kind === 'control') {
      this.reportControl(done, analysis.values, incumbent?.values);
      return;
    }
    await this.strategy.tell([
      { suggestionId: done.suggestionId, params: suggested(done), values: analysis.values },
    ]);
    this.progress(done, analysis.values);
  }

  private hold(reason: string): void {
    this.heldReason ??= reason;
    this.drain();
  }

  private async fail(e: ExperimentRecord, reason: string): Promise<void> {
    await this.move(e, 'failed', reason);
    this.logger.warn(`experiment #${e.seq} failed: ${reason}`);
    if (e.kind === 'control') return;
    await this.strategy.tell([{ suggestionId: e.suggestionId, params: suggested(e), failed: { reason } }]);
  }

  /**
   * Its outcome cannot be known (a crash cut a command that may not be repeated, or an interlock aborted one): it
   * teaches the strategy nothing, and the campaign's recovery policy decides — run the same parameters again, drop
   * it, or hold for a human.
   */
  private async interrupt(e: ExperimentRecord, reason: string): Promise<void> {
    const policy = e.kind === 'control' ? 'discard' : this.doc.spec.recovery.interrupted;
    const held = `experiment #${e.seq} was interrupted (${reason}); recovery is hold`;
    // Nothing new starts from here on: the hold is stored below, and no step may start after it.
    if (policy === 'hold') this.hold(held);
    // The decision is stored with the interruption, so a crash right after it loses neither the rerun nor the hold.
    const rerun = await this.deps.journal.commit((tx) => {
      tx.setExperimentStatus(e.id, 'interrupted', reason);
      if (policy === 'hold') tx.setCampaignStatus(this.campaign.id, 'held', held);
      if (policy !== 'rerun') return undefined;
      return tx.createExperiment(this.campaign.id, ++this.tally.lastSeq, e.suggestionId, e.params, 'rerun');
    });
    this.tally.moved(e, e.status, 'interrupted');
    this.logger.warn(`experiment #${e.seq} interrupted: ${reason}; recovery: ${policy}`);
    if (e.kind === 'control') return;
    await this.strategy.tell([{ suggestionId: e.suggestionId, params: suggested(e) }]);
    if (rerun) {
      this.tally.designed(rerun);
      this.queued.push(rerun);
    }
  }

  /** Protocol inputs: the strategy's parameters, else the campaign's fixed values, else the defaults. */
  private inputsFor(params: ParamValues): Record<string, Value> {
    const spec = this.doc.spec;
    return inputValues(
      { inputs: this.doc.plan.inputs, parameters: spec.parameters, fixed: spec.fixed },
      params,
    );
  }

  private reportControl(
    e: ExperimentRecord,
    values: ObjectiveValues,
    incumbent: ObjectiveValues | undefined,
  ): void {
    const drift = Object.entries(values)
      .map(([k, v]) => {
        const was = incumbent?.[k]?.mean;
        const change =
          was === undefined || was === 0 ? '' : ` (${fmtSigned(((v.mean - was) / Math.abs(was)) * 100)} %)`;
        return `${k} ${fmt(v.mean)}${was === undefined ? '' : ` vs ${fmt(was)}`}${change}`;
      })
      .join(', ');
    this.logger.log(`control #${e.seq}: ${drift}`);
  }

  private progress(e: ExperimentRecord, values: ObjectiveValues): void {
    const shown = Object.entries(values)
      .map(([k, v]) => `${k} ${fmt(v.mean)}`)
      .join(', ');
    this.logger.log(
      `experiment #${e.seq} completed (${this.tally.counts.completed}/${this.doc.spec.budget.experiments}): ${shown}; best ${this.describeBest()}`,
    );
  }

  private describeBest(): string {
    const best = this.tally.best;
    if (!best) return 'none yet';
    return `${Object.entries(best.values)
      .map(([k, v]) => `${k} ${fmt(v.mean)}`)
      .join(', ')} (#${best.seq})`;
  }
}

function suggested(e: ExperimentRecord): Suggestion['params'] {
  return e.params as Suggestion['params'];
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 || Math.abs(v) < 0.01 ? v.toPrecision(4) : v.toFixed(2);
}

function fmtSigned(v: number): string {
  return `${v >= 0 ? '+' : ''}${v.toFixed(1)}`;
}
