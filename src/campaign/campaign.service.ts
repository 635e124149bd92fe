/** Creating, starting and summarizing campaigns. Every change goes through the journal. */
import { Injectable } from '@nestjs/common';
import { LabError } from '../common/lab-error.js';
import type { ObjectiveValues, ParamValues } from '../events/event-map.js';
import { isBetter } from '../analysis/objective.analyzer.js';
import { displayPath, type CampaignDocument } from '../protocol/document.loader.js';
import { contentHash, Journal } from '../store/journal.service.js';
import { RecordsRepository } from '../store/records.repository.js';
import type { CampaignRecord } from '../store/store.records.js';
import { CampaignRunner } from './campaign-runner.service.js';
import type { CampaignStatus, ExperimentStatus } from './campaign-states.js';

export interface CampaignSummary {
  id: string;
  name: string;
  status: CampaignStatus;
  reason: string | null;
  budget: number;
  experiments: Record<ExperimentStatus, number>;
  best: { experimentId: string; seq: number; params: ParamValues; values: ObjectiveValues } | null;
}

@Injectable()
export class CampaignService {
  constructor(
    private readonly journal: Journal,
    private readonly records: RecordsRepository,
    private readonly runner: CampaignRunner,
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

  async start(id: string): Promise<CampaignRecord> {
    const c = this.require(id);
    if (c.status !== 'running') this.journal.write((tx) => tx.setCampaignStatus(id, 'running'));
    await this.runner.launch(id);
    return this.require(id);
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
    };
  }

  require(id: string): CampaignRecord {
    const c = this.records.campaign(id);
    if (!c) throw new LabError('NOT_FOUND', `no campaign ${id}`, 'id');
    return c;
  }
}
