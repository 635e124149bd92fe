/**
 * Creating, starting, steering and summarizing campaigns. Every change goes through the journal (the state table
 * decides what is legal), then the runner stops or relaunches the loop.
 */
import { Injectable, Logger } from '@nestjs/common';
import { describeError, LabError } from '../common/lab-error.js';
import type { ObjectiveValues, ParamValues } from '../events/event-map.js';
import { isBetter } from '../analysis/objective.analyzer.js';
import { InterlockLatch } from '../lab/interlock-latch.js';
import { displayPath, type CampaignDocument } from '../protocol/document.loader.js';
import { contentHash, Journal } from '../store/journal.service.js';
import { RecordsRepository } from '../store/records.repository.js';
import type { CampaignRecord, ExperimentRecord } from '../store/store.records.js';
import { CampaignRunner } from './campaign-runner.service.js';
import { isTerminalExperiment, type CampaignStatus, type ExperimentStatus } from './campaign-states.js';

export interface CampaignSummary {
  id: string;
  name: string;
  status: CampaignStatus;
  reason: string | null;
  budget: number;
  experiments: Record<ExperimentStatus, number>;
  best: { experimentId: string; seq: number; params: ParamValues; values: ObjectiveValues } | null;
  /** Objective name → goal, in the campaign's order (the first one ranks "best"). */
  objectives: Record<string, 'maximize' | 'minimize'>;
  /** The search space: parameter name → its definition (type, range, unit, scale). */
  parameters: CampaignDocument['spec']['parameters'];
  /** Whether the loop is turning in this process (a paused campaign's loop may still finish its steps). */
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

@Injectable()
export class CampaignService {
  private readonly logger = new Logger('campaigns');

  constructor(
    private readonly journal: Journal,
    private readonly records: RecordsRepository,
    private readonly runner: CampaignRunner,
    private readonly interlocks: InterlockLatch,
  ) {}

  /** Stores a validated campaign and its lab (exact text, by hash) as a draft. */
  create(doc: CampaignDocument): CampaignRecord {
    return this.journal.write((tx) => {
      const specHash = tx.putDocument('campaign', displayPath(doc.path), doc.text);
      const labHash = tx.putDocument('lab', displayPath(doc.lab.path), doc.lab.text);
      const protocol = doc.protocolFile;
      const protocolHash = protocol && tx.putDocument('protocol', displayPath(protocol.path), protocol.text);
      return tx.createCampaign({
        name: doc.spec.name,
        specHash,
        labHash,
        specFile: displayPath(doc.path),
        labFile: displayPath(doc.lab.path),
        ...(protocol && protocolHash ? { protocolHash, protocolFile: displayPath(protocol.path) } : {}),
        seed: doc.spec.strategy.seed,
      });
    });
  }

  /** A campaign not yet finished that was created from exactly this text and lab, if any. */
  findUnfinished(doc: CampaignDocument): CampaignRecord | undefined {
    const spec = contentHash(doc.text);
    const lab = contentHash(doc.lab.text);
    const protocol = doc.protocolFile ? contentHash(doc.protocolFile.text) : null;
    return this.records
      .campaigns()
      .find(
        (c) =>
          c.specHash === spec &&
          c.labHash === lab &&
          c.protocolHash === protocol &&
          c.status !== 'completed' &&
          c.status !== 'aborted',
      );
  }

  /** Starts a draft (or relaunches a running or paused one). A held campaign needs an explicit resume. */
  async start(id: string): Promise<CampaignRecord> {
    const c = this.require(id);
    if (c.status === 'held')
      throw new LabError(
        'ILLEGAL_TRANSITION',
        `campaign ${c.name} is held (${c.reason ?? 'no reason'}); resume it`,
        'status',
      );
    this.refuseWhileTripped(c);
    if (c.status === 'running') await this.runner.launch(id);
    else {
      this.journal.write((tx) => tx.setCampaignStatus(id, 'running'));
      await this.launchAfterOldLoop(c);
    }
    return this.require(id);
  }

  /** Running → paused: nothing new starts, running steps finish; `resume` carries on. Answers at once. */
  pause(id: string, reason?: string): CampaignRecord {
    return this.stopLoop(id, 'paused', reason, 'drain');
  }

  /** Running or paused → held: a fault or an operator wants a human to look; only `resume` leaves it. */
  hold(id: string, reason?: string): CampaignRecord {
    return this.stopLoop(id, 'held', reason, 'drain');
  }

  /**
   * Stops for good: running commands are aborted on the instruments; once the loop has stopped, experiments left
   * unfinished are marked interrupted.
   */
  abort(id: string, reason?: string): CampaignRecord {
    return this.stopLoop(id, 'aborted', reason, 'abort');
  }

  /** Paused or held → running. If the old loop is still finishing its steps, the new one starts after it. */
  async resume(id: string, reason?: string): Promise<CampaignRecord> {
    const c = this.require(id);
    if (c.status !== 'paused' && c.status !== 'held')
      throw new LabError(
        'ILLEGAL_TRANSITION',
        `campaign ${c.name} is ${c.status}; only a paused or held one resumes`,
        'status',
      );
    this.refuseWhileTripped(c);
    this.journal.write((tx) => tx.setCampaignStatus(id, 'running', reason));
    await this.launchAfterOldLoop(c);
    return this.require(id);
  }

  /** Nothing of a lab whose interlock is tripped starts or resumes: the interlock is reset first. */
  private refuseWhileTripped(c: CampaignRecord): void {
    const refusal = this.interlocks.refusal(this.runner.storedDocument(c).lab.spec.name);
    if (refusal) throw new LabError('INTERLOCK_TRIPPED', `campaign ${c.name}: ${refusal}`, 'status');
  }

  /**
   * Launches the loop of a campaign just set running. A loop still finishing its steps (after a pause or hold) would
   * otherwise swallow the launch and then stop, leaving the campaign running with no loop: the new one starts after it.
   */
  private async launchAfterOldLoop(c: CampaignRecord): Promise<void> {
    if (!this.runner.isRunning(c.id)) return this.runner.launch(c.id);
    const relaunch = async (): Promise<void> => {
      await this.runner.whenStopped(c.id);
      if (this.require(c.id).status === 'running') await this.runner.launch(c.id);
    };
    relaunch().catch((e: unknown) => this.logger.error(`cannot resume ${c.name}: ${describeError(e)}`));
  }

  private stopLoop(
    id: string,
    to: CampaignStatus,
    reason: string | undefined,
    how: 'drain' | 'abort',
  ): CampaignRecord {
    const c = this.journal.write((tx) => tx.setCampaignStatus(id, to, reason));
    const stopped =
      how === 'abort' ? this.runner.abort(id).then(() => this.interruptLeftovers(id)) : this.runner.drain(id);
    stopped.catch((e: unknown) =>
      this.logger.error(`campaign ${c.name}: stopping the loop: ${describeError(e)}`),
    );
    return c;
  }

  /** After an abort, nothing is left designed or running. */
  private interruptLeftovers(id: string): void {
    this.interrupt(this.records.experiments(id).filter((e) => !isTerminalExperiment(e.status)));
  }

  /**
   * At boot: experiments left open by a crash between an abort and its loop's stop are interrupted now (no loop
   * runs for an aborted campaign, so nothing else would ever close them).
   */
  interruptAbortedLeftovers(): number {
    const open = this.records.openExperimentsOfAborted();
    this.interrupt(open);
    return open.length;
  }

  private interrupt(open: readonly ExperimentRecord[]): void {
    if (open.length === 0) return;
    this.journal.write((tx) => {
      for (const e of open) tx.setExperimentStatus(e.id, 'interrupted', 'campaign aborted');
    });
  }

  summary(c: CampaignRecord): CampaignSummary {
    const doc = this.runner.storedDocument(c);
    const experiments = new Map(this.records.experiments(c.id).map((e) => [e.id, e]));
    let best: CampaignSummary['best'] = null;
    for (const o of this.records.observations(c.id)) {
      const e = experiments.get(o.experimentId);
      if (e && isBetter(doc.spec, o.values, best?.values))
        best = { experimentId: e.id, seq: e.seq, params: e.params, values: o.values };
    }
    return {
      id: c.id,
      name: c.name,
      status: c.status,
      reason: c.reason,
      budget: doc.spec.budget.experiments,
      experiments: this.records.experimentCounts(c.id),
      best,
      parameters: doc.spec.parameters,
      objectives: Object.fromEntries(Object.entries(doc.spec.objectives).map(([k, o]) => [k, o.goal])),
      active: this.runner.isRunning(c.id),
      createdAt: new Date(c.createdAt).toISOString(),
      updatedAt: new Date(c.updatedAt).toISOString(),
    };
  }

  require(id: string): CampaignRecord {
    const c = this.records.campaign(id);
    if (!c) throw new LabError('NOT_FOUND', `no campaign ${id}`, 'id');
    return c;
  }
}
