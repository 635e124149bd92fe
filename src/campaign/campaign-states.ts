/**
 * The states of campaigns and experiments, and every transition allowed between them, in one table each.
 * A transition not in a table throws ILLEGAL_TRANSITION: nothing moves a record any other way.
 */
import { LabError } from '../common/lab-error.js';

export const CAMPAIGN_STATUSES = ['draft', 'running', 'paused', 'held', 'completed', 'aborted'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const EXPERIMENT_STATUSES = [
  'designed',
  'running',
  'analyzing',
  'completed',
  'failed',
  'interrupted',
] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

const CAMPAIGN_TRANSITIONS: Record<CampaignStatus, readonly CampaignStatus[]> = {
  draft: ['running', 'aborted'],
  running: ['paused', 'held', 'completed', 'aborted'],
  paused: ['running', 'held', 'aborted'],
  // Held is left only by an explicit resume (to running) or an abort; never by itself.
  held: ['running', 'aborted'],
  completed: [],
  aborted: [],
};

const EXPERIMENT_TRANSITIONS: Record<ExperimentStatus, readonly ExperimentStatus[]> = {
  designed: ['running', 'interrupted'],
  running: ['analyzing', 'failed', 'interrupted'],
  analyzing: ['completed', 'failed', 'interrupted'],
  completed: [],
  failed: [],
  interrupted: [],
};

export function canTransitionCampaign(from: CampaignStatus, to: CampaignStatus): boolean {
  return CAMPAIGN_TRANSITIONS[from].includes(to);
}

export function assertCampaignTransition(from: CampaignStatus, to: CampaignStatus): void {
  if (!canTransitionCampaign(from, to)) {
    throw new LabError('ILLEGAL_TRANSITION', `a campaign cannot go from ${from} to ${to}`, 'status');
  }
}

export function assertExperimentTransition(from: ExperimentStatus, to: ExperimentStatus): void {
  if (!EXPERIMENT_TRANSITIONS[from].includes(to)) {
    throw new LabError('ILLEGAL_TRANSITION', `an experiment cannot go from ${from} to ${to}`, 'status');
  }
}

export function isTerminalExperiment(s: ExperimentStatus): boolean {
  return EXPERIMENT_TRANSITIONS[s].length === 0;
}

export function isTerminalCampaign(s: CampaignStatus): boolean {
  return CAMPAIGN_TRANSITIONS[s].length === 0;
}
