/** Reads of the engine's records, straight from the SQLite connection the journal writes through. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Database, Statement } from 'better-sqlite3';
import { DataSource } from 'typeorm';
import type { CampaignStatus, ExperimentStatus } from '../campaign/campaign-states.js';
import { nativeDatabase } from './sqlite-connection.js';
import {
  toCampaign,
  toCommand,
  toExperiment,
  toInterlockTrip,
  toObservation,
  toStep,
  type CampaignRecord,
  type CommandRecord,
  type ExperimentRecord,
  type InterlockTripRecord,
  type ObservationRecord,
  type StepRecord,
} from './store.records.js';

type Row = Record<string, unknown>;

function prepare(db: Database) {
  const s = (sql: string): Statement => db.prepare(sql);
  return {
    campaign: s('SELECT * FROM campaign WHERE id = ?'),
    campaigns: s('SELECT * FROM campaign ORDER BY created_at, rowid'),
    campaignsIn: s('SELECT * FROM campaign WHERE status = ? ORDER BY created_at, rowid'),
    countCampaigns: s('SELECT COUNT(*) AS n FROM campaign'),
    experiments: s('SELECT * FROM experiment WHERE campaign_id = ? ORDER BY seq'),
    experiment: s('SELECT * FROM experiment WHERE id = ?'),
    openOfAborted: s(
      `SELECT experiment.* FROM experiment JOIN campaign ON campaign.id = experiment.campaign_id
       WHERE campaign.status = 'aborted' AND experiment.status IN ('designed', 'running', 'analyzing')
       ORDER BY experiment.campaign_id, experiment.seq`,
    ),
    statusCounts: s(
      "SELECT status, COUNT(*) AS n FROM experiment WHERE campaign_id = ? AND kind != 'control' GROUP BY status",
    ),
    controlCount: s("SELECT COUNT(*) AS n FROM experiment WHERE campaign_id = ? AND kind = 'control'"),
    lastResumeFromHeld: s(
      `SELECT MAX(ts) AS ts FROM event WHERE campaign_id = ? AND type = 'campaign.status'
       AND json_extract(data, '$.from') = 'held' AND json_extract(data, '$.to') = 'running'`,
    ),
    maxSeq: s('SELECT COALESCE(MAX(seq), 0) AS n FROM experiment WHERE campaign_id = ?'),
    commands: s('SELECT * FROM command WHERE experiment_id = ? ORDER BY created_at, rowid'),
    observations: s('SELECT * FROM observation WHERE campaign_id = ? ORDER BY created_at, rowid'),
    observation: s('SELECT * FROM observation WHERE experiment_id = ?'),
    document: s('SELECT text FROM document WHERE hash = ?'),
    steps: s('SELECT * FROM step WHERE experiment_id = ? ORDER BY started_at, rowid'),
    step: s('SELECT * FROM step WHERE experiment_id = ? AND key = ?'),
    latchedTrips: s('SELECT * FROM interlock_trip WHERE reset_at IS NULL ORDER BY tripped_at, id'),
    lastTrips: s(
      `SELECT * FROM interlock_trip WHERE id IN (SELECT MAX(id) FROM interlock_trip GROUP BY lab, name) ORDER BY id`,
    ),
    waitingManual: s(
      `SELECT step.* FROM step JOIN experiment ON experiment.id = step.experiment_id
       WHERE step.kind = 'manual' AND step.status = 'running' AND experiment.campaign_id = ? ORDER BY step.started_at`,
    ),
  };
}

@Injectable()
export class RecordsRepository {
  private readonly st: ReturnType<typeof prepare>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    this.st = prepare(nativeDatabase(dataSource));
  }

  campaign(id: string): CampaignRecord | undefined {
    const row = this.st.campaign.get(id) as Row | undefined;
    return row ? toCampaign(row) : undefined;
  }

  campaigns(status?: CampaignStatus): CampaignRecord[] {
    const rows = (status ? this.st.campaignsIn.all(status) : this.st.campaigns.all()) as Row[];
    return rows.map(toCampaign);
  }

  countCampaigns(): number {
    return (this.st.countCampaigns.get() as { n: number }).n;
  }

  experiments(campaignId: string): ExperimentRecord[] {
    return (this.st.experiments.all(campaignId) as Row[]).map(toExperiment);
  }

  experiment(id: string): ExperimentRecord | undefined {
    const row = this.st.experiment.get(id) as Row | undefined;
    return row ? toExperiment(row) : undefined;
  }

  /** Experiments still open in aborted campaigns: a crash came between the abort and the loop's stop. */
  openExperimentsOfAborted(): ExperimentRecord[] {
    return (this.st.openOfAborted.all() as Row[]).map(toExperiment);
  }

  /** Lab time a person last resumed the campaign from held, if ever. */
  lastResumeFromHeld(campaignId: string): number | undefined {
    return (this.st.lastResumeFromHeld.get(campaignId) as { ts: number | null }).ts ?? undefined;
  }

  /** Control runs of a campaign (not counted by experimentCounts, which is what the budget counts). */
  controlCount(campaignId: string): number {
    return (this.st.controlCount.get(campaignId) as { n: number }).n;
  }

  /** Experiments by status, control runs left out. */
  experimentCounts(campaignId: string): Record<ExperimentStatus, number> {
    const counts: Record<ExperimentStatus, number> = {
      designed: 0,
      running: 0,
      analyzing: 0,
      completed: 0,
      failed: 0,
      interrupted: 0,
    };
    for (const r of this.st.statusCounts.all(campaignId) as { status: ExperimentStatus; n: number }[]) {
      counts[r.status] = r.n;
    }
    return counts;
  }

  lastSeq(campaignId: string): number {
    return (this.st.maxSeq.get(campaignId) as { n: number }).n;
  }

  commands(experimentId: string): CommandRecord[] {
    return (this.st.commands.all(experimentId) as Row[]).map(toCommand);
  }

  observations(campaignId: string): ObservationRecord[] {
    return (this.st.observations.all(campaignId) as Row[]).map(toObservation);
  }

  observation(experimentId: string): ObservationRecord | undefined {
    const row = this.st.observation.get(experimentId) as Row | undefined;
    return row ? toObservation(row) : undefined;
  }

  /** Every step an experiment journaled (leaves and control decisions), by key. */
  steps(experimentId: string): StepRecord[] {
    return (this.st.steps.all(experimentId) as Row[]).map(toStep);
  }

  step(experimentId: string, key: string): StepRecord | undefined {
    const row = this.st.step.get(experimentId, key) as Row | undefined;
    return row ? toStep(row) : undefined;
  }

  /** Manual steps of a campaign that wait for an operator. */
  waitingManualSteps(campaignId: string): StepRecord[] {
    return (this.st.waitingManual.all(campaignId) as Row[]).map(toStep);
  }

  document(hash: string): string | undefined {
    return (this.st.document.get(hash) as { text: string } | undefined)?.text;
  }

  /** Interlock trips not reset yet (latched). */
  latchedTrips(): InterlockTripRecord[] {
    return (this.st.latchedTrips.all() as Row[]).map(toInterlockTrip);
  }

  /** The latest trip of every interlock that ever tripped (latched or reset). */
  lastTrips(): InterlockTripRecord[] {
    return (this.st.lastTrips.all() as Row[]).map(toInterlockTrip);
  }
}
