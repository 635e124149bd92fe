/**
 * Campaigns, read side: list with progress and best so far, one campaign, its experiments (parameters, objective
 * values, and on request the raw results of each command), the convergence curve, the Pareto front, and the
 * instrument-use timeline.
 */
import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { CampaignService, type CampaignSummary } from '../campaign/campaign.service.js';
import { LabError } from '../common/lab-error.js';
import type { ObjectiveValues, ParamValues } from '../events/event-map.js';
import { paretoFront, runningBest, type Goals } from '../reports/pareto.js';
import { RecordsRepository } from '../store/records.repository.js';
import { commandView, type CommandView } from '../reports/command-view.js';

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
  commands?: CommandView[];
}

const iso = (t: number | null): string | null => (t === null ? null : new Date(t).toISOString());

@ApiTags('campaigns')
@Controller('api/campaigns')
export class CampaignsController {
  constructor(
    private readonly campaigns: CampaignService,
    private readonly records: RecordsRepository,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Every campaign with its status, progress and best so far, oldest first' })
  list(): CampaignSummary[] {
    return this.records.campaigns().map((c) => this.campaigns.summary(c));
  }

  @Get(':id')
  @ApiOperation({ summary: 'One campaign' })
  one(@Param('id') id: string): CampaignSummary {
    return this.campaigns.summary(this.campaigns.require(id));
  }

  @Get(':id/experiments')
  @ApiOperation({ summary: 'Experiments in order; `?commands=true` adds each command with its raw result' })
  @ApiQuery({ name: 'commands', required: false, type: Boolean })
  experiments(@Param('id') id: string, @Query('commands') commands?: string): ExperimentView[] {
    const c = this.campaigns.require(id);
    const withCommands = commands === 'true' || commands === '1';
    const observations = new Map(this.records.observations(c.id).map((o) => [o.experimentId, o.values]));
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
      ...(withCommands ? { commands: this.records.commands(e.id).map(commandView) } : {}),
    }));
  }

  @Get(':id/experiments/:seq')
  @ApiOperation({ summary: 'One experiment by its number, with its commands and their raw results' })
  experiment(@Param('id') id: string, @Param('seq') seq: string): ExperimentView {
    const c = this.campaigns.require(id);
    const e = this.records.experiments(c.id).find((x) => String(x.seq) === seq || x.id === seq);
    if (!e) throw new LabError('NOT_FOUND', `campaign ${c.name} has no experiment ${seq}`, 'seq');
    return {
      id: e.id,
      seq: e.seq,
      status: e.status,
      reason: e.reason,
      params: e.params,
      observation: this.records.observation(e.id)?.values ?? null,
      createdAt: new Date(e.createdAt).toISOString(),
      startedAt: iso(e.startedAt),
      finishedAt: iso(e.finishedAt),
      commands: this.records.commands(e.id).map(commandView),
    };
  }

  @Get(':id/best')
  @ApiOperation({
    summary: 'Best so far by the first objective, and the convergence curve over completed experiments',
  })
  best(@Param('id') id: string): {
    objective: string;
    goal: 'maximize' | 'minimize';
    best: CampaignSummary['best'];
    curve: { n: number; seq: number; value: number; best: number }[];
  } {
    const c = this.campaigns.require(id);
    const summary = this.campaigns.summary(c);
    const [objective, goal] = Object.entries(summary.objectives)[0] ?? ['', 'maximize'];
    const points = this.completed(c.id).filter((p) => Number.isFinite(p.values[objective]?.mean));
    const values = points.map((p) => p.values[objective]?.mean ?? NaN);
    const running = runningBest(values, goal);
    return {
      objective,
      goal,
      best: summary.best,
      curve: points.map((p, i) => ({
        n: i + 1,
        seq: p.seq,
        value: values[i] ?? NaN,
        best: running[i] ?? NaN,
      })),
    };
  }

  @Get(':id/pareto')
  @ApiOperation({ summary: 'The Pareto front over all objectives (non-dominated completed experiments)' })
  pareto(@Param('id') id: string): {
    objectives: Goals;
    front: { seq: number; id: string; params: ParamValues; values: ObjectiveValues }[];
  } {
    const c = this.campaigns.require(id);
    const objectives = this.campaigns.summary(c).objectives;
    const front = paretoFront(this.completed(c.id), objectives);
    return {
      objectives,
      front: front.map((p) => ({ seq: p.seq, id: p.id, params: p.params, values: p.values })),
    };
  }

  @Get(':id/timeline')
  @ApiOperation({ summary: 'Instrument use: every command with its instrument, start and end' })
  timeline(@Param('id') id: string): {
    instrument: string;
    seq: number;
    step: string;
    action: string;
    status: string;
    start: string;
    end: string | null;
  }[] {
    const c = this.campaigns.require(id);
    return this.records.experiments(c.id).flatMap((e) =>
      this.records.commands(e.id).map((cmd) => ({
        instrument: cmd.instrument,
        seq: e.seq,
        step: cmd.step,
        action: cmd.action,
        status: cmd.status,
        start: new Date(cmd.createdAt).toISOString(),
        end: iso(cmd.finishedAt),
      })),
    );
  }

  private completed(
    campaignId: string,
  ): { id: string; seq: number; params: ParamValues; values: ObjectiveValues }[] {
    const observations = new Map(
      this.records.observations(campaignId).map((o) => [o.experimentId, o.values]),
    );
    return this.records
      .experiments(campaignId)
      .filter((e) => e.status === 'completed' && observations.has(e.id))
      .map((e) => ({ id: e.id, seq: e.seq, params: e.params, values: observations.get(e.id) ?? {} }));
  }
}
