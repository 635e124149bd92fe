/** Campaigns: list with progress and best so far, one campaign, its experiments. */
import { Controller, Get, Param } from '@nestjs/common';
import { CampaignService, type CampaignSummary } from '../campaign/campaign.service.js';
import type { ObjectiveValues, ParamValues } from '../events/event-map.js';
import { RecordsRepository } from '../store/records.repository.js';

export interface ExperimentView {
  id: string;
  seq: number;
  status: string;
  reason: string | null;
  params: ParamValues;
  observation: ObjectiveValues | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

@Controller('api/campaigns')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignService,
    private readonly records: RecordsRepository,
  ) {}

  @Get()
  list(): CampaignSummary[] {
    return this.records.campaigns().map((c) => this.campaigns.summary(c));
  }

  @Get(':id')
  one(@Param('id') id: string): CampaignSummary {
    return this.campaigns.summary(this.campaigns.require(id));
  }

  @Get(':id/experiments')
  experiments(@Param('id') id: string): ExperimentView[] {
    const c = this.campaigns.require(id);
    const observations = new Map(this.records.observations(c.id).map((o) => [o.experimentId, o.values]));
    const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());
    return this.records.experiments(c.id).map((e) => ({
      id: e.id,
      seq: e.seq,
      status: e.status,
      reason: e.reason,
      params: e.params,
      observation: observations.get(e.id) ?? null,
      createdAt: new Date(e.createdAt).toISOString(),
      startedAt: iso(e.startedAt),
      finishedAt: iso(e.finishedAt),
    }));
  }
}
