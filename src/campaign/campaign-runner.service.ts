/**
 * Starts and stops campaign loops. Launching rebuilds the campaign from its stored documents (never the files on
 * disk, which may have changed) and the strategy from its seed and stored history.
 */
import { dirname, resolve } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { describeError, LabError } from '../common/lab-error.js';
import { EventBus } from '../events/event-bus.service.js';
import { ExperimentExecutor } from '../execution/experiment-executor.service.js';
import { InstrumentRegistry } from '../lab/instrument-registry.service.js';
import type { Constraint, Observation, Strategy, Suggestion } from '../optimizers/strategy.port.js';
import { compileConstraint } from '../optimizers/constraints.js';
import { StrategyRegistry } from '../optimizers/strategy-registry.service.js';
import { unavailableAnalyzers } from '../analysis/objective.analyzer.js';
import {
  parseCampaign,
  parseLab,
  parseProtocolFile,
  type CampaignDocument,
} from '../protocol/document.loader.js';
import { Journal } from '../store/journal.service.js';
import { RecordsRepository } from '../store/records.repository.js';
import type { CampaignRecord } from '../store/store.records.js';
import { CampaignLoop, type LoopEnd } from './campaign-loop.js';

interface Running {
  loop: CampaignLoop;
  done: Promise<LoopEnd>;
}

@Injectable()
export class CampaignRunner {
  private readonly logger = new Logger('campaigns');
  private readonly running = new Map<string, Running>();
  private readonly launching = new Map<string, Promise<void>>();

  constructor(
    private readonly journal: Journal,
    private readonly records: RecordsRepository,
    private readonly executor: ExperimentExecutor,
    private readonly strategies: StrategyRegistry,
    private readonly instruments: InstrumentRegistry,
    private readonly bus: EventBus,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  isRunning(campaignId: string): boolean {
    return this.running.has(campaignId);
  }

  /**
   * Starts the loop of a campaign whose status is running; resolves once it is under way. One launch at a time per
   * campaign: a second call while the first is still checking the lab joins it rather than starting a second loop.
   */
  launch(campaignId: string): Promise<void> {
    if (this.running.has(campaignId)) return Promise.resolve();
    const pending = this.launching.get(campaignId);
    if (pending) return pending;
    const launched = this.startLoop(campaignId).finally(() => this.launching.delete(campaignId));
    this.launching.set(campaignId, launched);
    return launched;
  }

  private async startLoop(campaignId: string): Promise<void> {
    const campaign = this.records.campaign(campaignId);
    if (!campaign) throw new LabError('NOT_FOUND', `no campaign ${campaignId}`);
    if (campaign.status !== 'running')
      throw new LabError(
        'ILLEGAL_TRANSITION',
        `campaign ${campaign.name} is ${campaign.status}, not running`,
      );
    const doc = this.storedDocument(campaign);
    const missing = unavailableAnalyzers(doc.spec);
    if (missing.length > 0)
      throw new LabError(
        'DOCUMENT_INVALID',
        `campaign ${campaign.name}: objective ${missing.join(', ')} needs an analyzer this version does not run yet`,
      );
    await this.instruments.ensureLab(doc.lab.spec, doc.lab.path);
    // Campaign start: the instruments as they describe themselves must agree with the lab file and the search space.
    const check = await this.instruments.preflight(doc);
    for (const note of check.notes) this.logger.log(`${campaign.name}: ${note}`);
    if (check.problems.length > 0) {
      const reason = `instruments disagree with the lab file: ${check.problems.join('; ')}`;
      this.logger.error(`${campaign.name}: ${reason}`);
      this.journal.write((tx) => tx.setCampaignStatus(campaignId, 'held', reason));
      return;
    }
    const strategy = await this.rebuildStrategy(campaign, doc).catch((err: unknown) => {
      // A strategy that cannot be built (module missing, bad options) holds the campaign for a human.
      this.journal.write((tx) => tx.setCampaignStatus(campaign.id, 'held', describeError(err)));
      throw err;
    });
    // Paused, held or aborted while the lab was checked: no loop starts (a resume launches one).
    if (this.records.campaign(campaignId)?.status !== 'running') return;
    const loop = new CampaignLoop(
      { journal: this.journal, records: this.records, executor: this.executor, clock: this.clock },
      campaign,
      doc,
      strategy,
    );
    const done = loop
      .run()
      .catch((err: unknown): LoopEnd => {
        this.logger.error(`campaign ${campaign.name} stopped: ${describeError(err)}`);
        return { status: 'running', reason: describeError(err) };
      })
      .finally(() => this.running.delete(campaignId));
    this.running.set(campaignId, { loop, done });
  }

  /** Connects the instruments of a campaign's stored lab (if its name passes `which`), without starting anything. */
  async connectLab(campaignId: string, which: (lab: string) => boolean = () => true): Promise<void> {
    const campaign = this.records.campaign(campaignId);
    if (!campaign) throw new LabError('NOT_FOUND', `no campaign ${campaignId}`);
    const doc = this.storedDocument(campaign);
    if (which(doc.lab.spec.name)) await this.instruments.ensureLab(doc.lab.spec, doc.lab.path);
  }

  /** Resolves when the campaign's loop ends (at once if none runs). */
  async whenStopped(campaignId: string): Promise<LoopEnd | undefined> {
    return this.running.get(campaignId)?.done;
  }

  /** Stops starting experiments; running steps finish. Resolves when the loop has stopped. */
  async drain(campaignId: string): Promise<void> {
    const r = this.running.get(campaignId);
    if (!r) return;
    r.loop.drain();
    await r.done;
  }

  /** Aborts running commands on the instruments and stops the loop. Resolves when it has stopped. */
  async abort(campaignId: string): Promise<void> {
    const r = this.running.get(campaignId);
    if (!r) return;
    r.loop.abort();
    await r.done;
  }

  /** Graceful stop of every loop: running steps finish (or time out), nothing new starts. */
  async drainAll(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) r.loop.drain();
    await Promise.allSettled(all.map((r) => r.done));
  }

  /** The campaign exactly as it was created: documents from the store, by content hash. */
  storedDocument(c: CampaignRecord): CampaignDocument {
    const specText = this.records.document(c.specHash);
    const labText = this.records.document(c.labHash);
    const protocolText = c.protocolHash ? this.records.document(c.protocolHash) : undefined;
    if (specText === undefined || labText === undefined || (c.protocolHash && protocolText === undefined))
      throw new LabError('NOT_FOUND', `campaign ${c.name}: stored documents are missing`);
    // Stored paths are as displayed at creation; resolving them again makes the protocol's relative path line up.
    const specPath = resolve(c.specFile);
    const protocolFile =
      protocolText !== undefined && c.protocolFile
        ? {
            path: resolve(c.protocolFile),
            text: protocolText,
            spec: parseProtocolFile(resolve(c.protocolFile), protocolText),
          }
        : undefined;
    return parseCampaign(specPath, specText, parseLab(resolve(c.labFile), labText), protocolFile);
  }

  private async rebuildStrategy(c: CampaignRecord, doc: CampaignDocument): Promise<Strategy> {
    const spec = doc.spec;
    const strategy = timedStrategy(
      this.bus,
      c.id,
      await this.strategies.create(
        spec.strategy,
        {
          space: spec.parameters,
          objectives: spec.objectives,
          constraints: compiledConstraints(spec.constraints, Object.keys(spec.parameters)),
          seed: c.seed,
          options: spec.strategy.options,
        },
        { baseDir: dirname(resolve(doc.path)) },
      ),
    );
    const observations = new Map(this.records.observations(c.id).map((o) => [o.experimentId, o]));
    const history: Observation[] = [];
    for (const e of this.records.experiments(c.id)) {
      // Control runs watch the lab for drift; the strategy learns from its own proposals (and their reruns) only.
      if (e.kind === 'control') continue;
      const params = e.params as Suggestion['params'];
      if (e.status === 'completed')
        history.push({ suggestionId: e.suggestionId, params, values: observations.get(e.id)?.values });
      else if (e.status === 'failed')
        history.push({ suggestionId: e.suggestionId, params, failed: { reason: e.reason ?? 'failed' } });
      else if (e.status === 'interrupted') history.push({ suggestionId: e.suggestionId, params });
    }
    if (history.length > 0) await strategy.tell(history);
    return strategy;
  }
}

/**
 * Times each ask (wall time: it measures computation, not lab time) for the metrics. The strategy object itself is
 * kept, only its ask wrapped, so whatever else a strategy offers stays reachable.
 */
function timedStrategy(bus: EventBus, campaignId: string, strategy: Strategy): Strategy {
  const ask = strategy.ask.bind(strategy);
  strategy.ask = async (count, pending) => {
    const started = performance.now();
    try {
      return await ask(count, pending);
    } finally {
      bus.emit('strategy.asked', { campaignId, count, seconds: (performance.now() - started) / 1000 });
    }
  };
  return strategy;
}

/** The campaign's constraints, compiled for its strategy (the checks already refused any that does not compile). */
function compiledConstraints(texts: readonly string[], parameters: readonly string[]): Constraint[] {
  return texts.flatMap((t) => {
    const r = compileConstraint(t, parameters);
    return r.ok ? [r.constraint] : [];
  });
}
