/** Plain records the engine works with (JSON columns parsed), and the row mappers that produce them. */
import type { CampaignStatus, ExperimentStatus } from '../campaign/campaign-states.js';
import type { ObjectiveValues, ParamValues } from '../events/event-map.js';
import type { CommandStatus } from './entities/command.entity.js';
import type { StepStatus } from './entities/step.entity.js';

export interface CampaignRecord {
  id: string;
  name: string;
  status: CampaignStatus;
  reason: string | null;
  specHash: string;
  labHash: string;
  specFile: string;
  labFile: string;
  /** The protocol file, when the campaign names one rather than writing the protocol inline. */
  protocolHash: string | null;
  protocolFile: string | null;
  seed: number;
  createdAt: number;
  updatedAt: number;
  /** Lab time it first started running (the clock of its wall-time budget). */
  startedAt: number | null;
}

/** What an experiment is for: proposed by the strategy, a control run of the incumbent, or a re-run after a crash. */
export type ExperimentKind = 'design' | 'control' | 'rerun';

export interface ExperimentRecord {
  id: string;
  campaignId: string;
  seq: number;
  suggestionId: string;
  kind: ExperimentKind;
  params: ParamValues;
  status: ExperimentStatus;
  reason: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface CommandRecord {
  id: string;
  experimentId: string;
  step: string;
  attempt: number;
  instrument: string;
  action: string;
  params: Record<string, unknown>;
  deadline: number;
  status: CommandStatus;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  sends: number;
  createdAt: number;
  finishedAt: number | null;
}

export interface StepRecord {
  experimentId: string;
  key: string;
  kind: string;
  status: StepStatus;
  attempts: number;
  startedAt: number;
  finishedAt: number | null;
  result: unknown;
  error: string | null;
  detail: unknown;
}

export interface ObservationRecord {
  experimentId: string;
  campaignId: string;
  values: ObjectiveValues;
  createdAt: number;
}

type Row = Record<string, unknown>;

export function toCampaign(r: Row): CampaignRecord {
  return {
    id: r['id'] as string,
    name: r['name'] as string,
    status: r['status'] as CampaignStatus,
    reason: (r['reason'] as string | null) ?? null,
    specHash: r['spec_hash'] as string,
    labHash: r['lab_hash'] as string,
    specFile: r['spec_file'] as string,
    labFile: r['lab_file'] as string,
    protocolHash: (r['protocol_hash'] as string | null | undefined) ?? null,
    protocolFile: (r['protocol_file'] as string | null | undefined) ?? null,
    seed: r['seed'] as number,
    createdAt: r['created_at'] as number,
    updatedAt: r['updated_at'] as number,
    startedAt: (r['started_at'] as number | null | undefined) ?? null,
  };
}

export function toExperiment(r: Row): ExperimentRecord {
  return {
    id: r['id'] as string,
    campaignId: r['campaign_id'] as string,
    seq: r['seq'] as number,
    suggestionId: r['suggestion_id'] as string,
    kind: ((r['kind'] as string | undefined) ?? 'design') as ExperimentKind,
    params: JSON.parse(r['params'] as string) as ParamValues,
    status: r['status'] as ExperimentStatus,
    reason: (r['reason'] as string | null) ?? null,
    createdAt: r['created_at'] as number,
    startedAt: (r['started_at'] as number | null) ?? null,
    finishedAt: (r['finished_at'] as number | null) ?? null,
  };
}

export function toCommand(r: Row): CommandRecord {
  return {
    id: r['id'] as string,
    experimentId: r['experiment_id'] as string,
    step: r['step'] as string,
    attempt: r['attempt'] as number,
    instrument: r['instrument'] as string,
    action: r['action'] as string,
    params: JSON.parse(r['params'] as string) as Record<string, unknown>,
    deadline: r['deadline'] as number,
    status: r['status'] as CommandStatus,
    result: r['result'] ? (JSON.parse(r['result'] as string) as Record<string, unknown>) : null,
    error: r['error'] ? (JSON.parse(r['error'] as string) as { code: string; message: string }) : null,
    sends: r['sends'] as number,
    createdAt: r['created_at'] as number,
    finishedAt: (r['finished_at'] as number | null) ?? null,
  };
}

export function toObservation(r: Row): ObservationRecord {
  return {
    experimentId: r['experiment_id'] as string,
    campaignId: r['campaign_id'] as string,
    values: JSON.parse(r['values'] as string) as ObjectiveValues,
    createdAt: r['created_at'] as number,
  };
}

export function toStep(r: Row): StepRecord {
  return {
    experimentId: r['experiment_id'] as string,
    key: r['key'] as string,
    kind: r['kind'] as string,
    status: r['status'] as StepStatus,
    attempts: r['attempts'] as number,
    startedAt: r['started_at'] as number,
    finishedAt: (r['finished_at'] as number | null) ?? null,
    result: r['result'] ? (JSON.parse(r['result'] as string) as unknown) : null,
    error: (r['error'] as string | null) ?? null,
    detail: r['detail'] ? (JSON.parse(r['detail'] as string) as unknown) : null,
  };
}

/** One interlock trip; latched while `resetAt` is null. */
export interface InterlockTripRecord {
  id: number;
  name: string;
  lab: string;
  condition: string;
  action: 'hold' | 'abort';
  detail: string;
  trippedAt: number;
  resetAt: number | null;
  resetBy: string | null;
}

export function toInterlockTrip(r: Row): InterlockTripRecord {
  return {
    id: r['id'] as number,
    name: r['name'] as string,
    lab: r['lab'] as string,
    condition: r['condition'] as string,
    action: r['action'] as 'hold' | 'abort',
    detail: r['detail'] as string,
    trippedAt: r['tripped_at'] as number,
    resetAt: (r['reset_at'] as number | null) ?? null,
    resetBy: (r['reset_by'] as string | null) ?? null,
  };
}
