/**
 * One running campaign: design → execute → analyze → optimize until the budget of completed experiments is spent.
 * Experiments in flight at a restart are picked up where their records left them; the strategy was rebuilt from
 * the stored history before this loop starts. Plain code: every side effect goes through the injected services.
 */
import { Logger } from '@nestjs/common';
import { describeError } from '../common/lab-error.js';
import type { ObjectiveValues, ParamValues } from '../events/event-map.js';
import { analyzeObjectives, isBetter } from '../analysis/objective.analyzer.js';
import type { ExperimentExecutor } from '../execution/experiment-executor.service.js';
import type { Strategy, Suggestion } from '../optimizers/strategy.port.js';
import type { CampaignDocument } from '../protocol/document.loader.js';
import type { Value } from '../common/quantity.js';
import { inputValues } from '../protocol/campaign-inputs.js';
import type { Journal } from '../store/journal.service.js';
import type { RecordsRepository } from '../store/records.repository.js';
import type { CampaignRecord, ExperimentRecord } from '../store/store.records.js';
import { isTerminalExperiment, type CampaignStatus } from './campaign-states.js';

export interface LoopDeps {
  journal: Journal;
  records: RecordsRepository;
  executor: ExperimentExecutor;
}

export type LoopEnd = { status: CampaignStatus; reason?: string };

export class CampaignLoop {
  private readonly logger: Logger;
  private readonly drainController = new AbortController();
  private readonly abortController = new AbortController();
  private readonly active = new Map<string, Promise<void>>();
  private best?: { seq: number; values: ObjectiveValues };
  /** Set when a step's failure policy held the campaign (already journaled): the loop drains and ends held. */
  private heldReason?: string;

  constructor(
    private readonly deps: LoopDeps,
    private readonly campaign: CampaignRecord,
    private readonly doc: CampaignDocument,
    private readonly strategy: Strategy,
  ) {
    this.logger = new Logger(`campaign:${campaign.name}`);
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
    const { records } = this.deps;
    const spec = this.doc.spec;
    this.best = this.bestSoFar();
    for (const e of records.experiments(this.campaign.id)) if (!isTerminalExperiment(e.status)) this.start(e);
    try {
      for (;;) {
        if (this.drainController.signal.aborted) break;
        const counts = records.experimentCounts(this.campaign.id);
        if (counts.completed >= spec.budget.experiments && this.active.size === 0) {
          return this.end('completed', `budget of ${spec.budget.experiments} completed experiments spent`);
        }
        const tooManyFailed =
          spec.budget.maxFailed === undefined
            ? counts.failed > Math.max(3, spec.budget.experiments)
            : counts.failed >= spec.budget.maxFailed;
        if (tooManyFailed && this.active.size === 0) {
          return this.end('held', `${counts.failed} experiments failed; check the instruments, then resume`);
        }
        const room = spec.budget.experiments - counts.completed - this.active.size;
        const slots = Math.min(spec.parallel - this.active.size, room);
        if (slots > 0) for (const e of await this.design(slots)) this.start(e);
        if (this.active.size === 0) return this.end('held', 'the strategy proposed no experiment');
        await Promise.race(this.active.values());
      }
    } catch (err) {
      this.logger.error(`stopped by a fault: ${describeError(err)}`);
      this.drain();
      await Promise.allSettled(this.active.values());
      return this.end('held', `fault: ${describeError(err)}`);
    }
    await Promise.allSettled(this.active.values());
    if (this.heldReason !== undefined) return this.end('held', this.heldReason);
    return { status: 'running', reason: 'drained' };
  }

  private end(status: 'completed' | 'held', reason: string): LoopEnd {
    this.deps.journal.write((tx) => tx.setCampaignStatus(this.campaign.id, status, reason));
    this.logger.log(`${status}: ${reason}${this.best ? `; best ${this.describeBest()}` : ''}`);
    return { status, reason };
  }

  private start(e: ExperimentRecord): void {
    const run = this.runExperiment(e)
      .catch((err: unknown) => this.logger.error(`experiment #${e.seq}: ${describeError(err)}`))
      .finally(() => this.active.delete(e.id));
    this.active.set(e.id, run);
  }

  private async design(count: number): Promise<ExperimentRecord[]> {
    const { records, journal } = this.deps;
    const pending: Suggestion[] = records
      .experiments(this.campaign.id)
      .filter((e) => !isTerminalExperiment(e.status))
      .map((e) => ({ id: e.suggestionId, params: e.params as Suggestion['params'] }));
    const suggestions = await this.strategy.ask(count, pending);
    return journal.write((tx) => {
      let seq = records.lastSeq(this.campaign.id);
      return suggestions.map((s) => tx.createExperiment(this.campaign.id, ++seq, s.id, s.params));
    });
  }

  private async runExperiment(e: ExperimentRecord): Promise<void> {
    const { journal, executor } = this.deps;
    let current = e;
    if (current.status === 'designed')
      current = journal.write((tx) => tx.setExperimentStatus(e.id, 'running'));
    if (current.status === 'running' || current.status === 'analyzing') {
      const control = { drain: this.drainController.signal, abort: this.abortController.signal };
      const outcome = await executor.execute(current, this.doc.plan, this.inputsFor(current.params), control);
      if (outcome.status === 'suspended') return;
      if (outcome.status === 'held') {
        this.logger.warn(`experiment #${e.seq}: ${outcome.reason}; campaign held for a human`);
        this.heldReason = outcome.reason;
        this.drain();
        return;
      }
      if (outcome.status === 'failed') return this.fail(current, outcome.reason);
      if (outcome.status === 'interrupted') return this.interrupt(current, outcome.reason);
      if (current.status === 'running')
        current = journal.write((tx) => tx.setExperimentStatus(e.id, 'analyzing'));
      const analysis = analyzeObjectives(this.doc.spec, { values: outcome.outputs, units: outcome.units });
      if (!analysis.ok) return this.fail(current, analysis.reason);
      journal.write((tx) => {
        tx.recordObservation(current, analysis.values);
        tx.setExperimentStatus(e.id, 'completed');
      });
      await this.strategy.tell([
        { suggestionId: e.suggestionId, params: e.params as Suggestion['params'], values: analysis.values },
      ]);
      this.progress(current, analysis.values);
    }
  }

  private async fail(e: ExperimentRecord, reason: string): Promise<void> {
    this.deps.journal.write((tx) => tx.setExperimentStatus(e.id, 'failed', reason));
    this.logger.warn(`experiment #${e.seq} failed: ${reason}`);
    await this.strategy.tell([
      { suggestionId: e.suggestionId, params: e.params as Suggestion['params'], failed: { reason } },
    ]);
  }

  /** Its outcome cannot be known (a crash cut a non-repeatable command): it counts as asked and teaches nothing. */
  private async interrupt(e: ExperimentRecord, reason: string): Promise<void> {
    this.deps.journal.write((tx) => tx.setExperimentStatus(e.id, 'interrupted', reason));
    this.logger.warn(`experiment #${e.seq} interrupted: ${reason}`);
    await this.strategy.tell([{ suggestionId: e.suggestionId, params: e.params as Suggestion['params'] }]);
  }

  /** Protocol inputs: the strategy's parameters, else the campaign's fixed values, else the defaults. */
  private inputsFor(params: ParamValues): Record<string, Value> {
    const spec = this.doc.spec;
    return inputValues(
      { inputs: this.doc.plan.inputs, parameters: spec.parameters, fixed: spec.fixed },
      params,
    );
  }

  private progress(e: ExperimentRecord, values: ObjectiveValues): void {
    if (isBetter(this.doc.spec, values, this.best?.values)) this.best = { seq: e.seq, values };
    const done = this.deps.records.experimentCounts(this.campaign.id).completed;
    const shown = Object.entries(values)
      .map(([k, v]) => `${k} ${fmt(v.mean)}`)
      .join(', ');
    this.logger.log(
      `experiment #${e.seq} completed (${done}/${this.doc.spec.budget.experiments}): ${shown}; best ${this.describeBest()}`,
    );
  }

  private bestSoFar(): { seq: number; values: ObjectiveValues } | undefined {
    let best: { seq: number; values: ObjectiveValues } | undefined;
    const seqs = new Map(this.deps.records.experiments(this.campaign.id).map((e) => [e.id, e.seq]));
    for (const o of this.deps.records.observations(this.campaign.id)) {
      if (isBetter(this.doc.spec, o.values, best?.values))
        best = { seq: seqs.get(o.experimentId) ?? 0, values: o.values };
    }
    return best;
  }

  private describeBest(): string {
    if (!this.best) return 'none yet';
    return `${Object.entries(this.best.values)
      .map(([k, v]) => `${k} ${fmt(v.mean)}`)
      .join(', ')} (#${this.best.seq})`;
  }
}

function fmt(v: number): string {
  return Math.abs(v) >= 1000 || Math.abs(v) < 0.01 ? v.toPrecision(4) : v.toFixed(2);
}
