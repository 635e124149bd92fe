/**
 * Everything known about one campaign, assembled once from the store: the documents it was created from, every
 * experiment with its parameters, objective values and commands (raw results), its status history and provenance.
 * Exports, reports and the API's richer views are all drawn from this one shape.
 */
import { labelOf } from '../optimizers/strategy-registry.service.js';
import { Inject, Injectable } from '@nestjs/common';
import { CampaignRunner } from '../campaign/campaign-runner.service.js';
import { CampaignService, type CampaignSummary } from '../campaign/campaign.service.js';
import { CLOCK, type Clock } from '../common/clock.js';
import { packageVersion } from '../common/package-root.js';
import type { EventMap, LabEvent, ObjectiveValues, ParamValues } from '../events/event-map.js';
import type { CampaignDocument } from '../protocol/document.loader.js';
import { EventLogRepository } from '../store/event-log.repository.js';
import { RecordsRepository } from '../store/records.repository.js';
import type { CampaignRecord, CommandRecord } from '../store/store.records.js';
import type { ExperimentStatus } from '../campaign/campaign-states.js';

export interface ExperimentData {
  id: string;
  seq: number;
  status: ExperimentStatus;
  reason: string | null;
  params: ParamValues;
  values: ObjectiveValues | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  commands: CommandRecord[];
}

export interface StatusChange {
  ts: number;
  from: string;
  to: string;
  reason?: string;
}

export interface Provenance {
  software: { name: 'labloop'; version: string; node: string; platform: string };
  campaign: { file: string; sha256: string };
  lab: { file: string; sha256: string };
  seed: number;
  strategy: { name: string; options: Record<string, unknown> };
  generatedAt: string;
}

export interface CampaignDataset {
  campaign: CampaignRecord;
  summary: CampaignSummary;
  doc: CampaignDocument;
  experiments: ExperimentData[];
  statusLog: StatusChange[];
  audit: EventMap['audit.call'][];
  events: LabEvent[];
  provenance: Provenance;
}

@Injectable()
export class CampaignDatasets {
  constructor(
    private readonly campaigns: CampaignService,
    private readonly runner: CampaignRunner,
    private readonly records: RecordsRepository,
    private readonly eventLog: EventLogRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  load(id: string): CampaignDataset {
    const campaign = this.campaigns.require(id);
    const doc = this.runner.storedDocument(campaign);
    const observations = new Map(this.records.observations(id).map((o) => [o.experimentId, o.values]));
    const experiments = this.records.experiments(id).map((e): ExperimentData => ({
      id: e.id,
      seq: e.seq,
      status: e.status,
      reason: e.reason,
      params: e.params,
      values: observations.get(e.id) ?? null,
      createdAt: e.createdAt,
      startedAt: e.startedAt,
      finishedAt: e.finishedAt,
      commands: this.records.commands(e.id),
    }));
    const events = this.eventLog.ofCampaign(id);
    const statusLog = events
      .filter((e): e is LabEvent<'campaign.status'> => e.type === 'campaign.status')
      .map((e) => ({
        ts: e.ts,
        from: e.data.from,
        to: e.data.to,
        ...(e.data.reason ? { reason: e.data.reason } : {}),
      }));
    const audit = events
      .filter((e): e is LabEvent<'audit.call'> => e.type === 'audit.call')
      .map((e) => e.data);
    return {
      campaign,
      summary: this.campaigns.summary(campaign),
      doc,
      experiments,
      statusLog,
      audit,
      events,
      provenance: {
        software: {
          name: 'labloop',
          version: packageVersion(),
          node: process.version,
          platform: `${process.platform}-${process.arch}`,
        },
        campaign: { file: campaign.specFile, sha256: campaign.specHash },
        lab: { file: campaign.labFile, sha256: campaign.labHash },
        seed: campaign.seed,
        strategy: { name: labelOf(doc.spec.strategy), options: doc.spec.strategy.options },
        generatedAt: new Date(this.clock.now()).toISOString(),
      },
    };
  }
}
