/**
 * Every event the daemon emits, by type. One map for the whole daemon: the log, the API stream, the metrics and the
 * event table all consume these. Journaled events are written in the same transaction as the change they describe.
 */
import type { CampaignStatus, ExperimentStatus } from '../campaign/campaign-states.js';

export type ParamValues = Record<string, number | string | boolean>;
export type ObjectiveValues = Record<string, { mean: number; sem?: number }>;

export interface EventMap {
  'campaign.created': { campaignId: string; name: string; file: string };
  'campaign.status': { campaignId: string; from: CampaignStatus; to: CampaignStatus; reason?: string };
  'experiment.designed': {
    campaignId: string;
    experimentId: string;
    seq: number;
    params: ParamValues;
    /** Absent for the strategy's own proposals. */
    kind?: 'control' | 'rerun';
  };
  'experiment.status': {
    campaignId: string;
    experimentId: string;
    seq: number;
    from: ExperimentStatus;
    to: ExperimentStatus;
    reason?: string;
  };
  'observation.recorded': { campaignId: string; experimentId: string; seq: number; values: ObjectiveValues };
  'command.stored': {
    experimentId: string;
    commandId: string;
    instrument: string;
    action: string;
    step: string;
  };
  'step.started': { campaignId: string; experimentId: string; key: string; kind: string; attempt: number };
  'step.finished': {
    campaignId: string;
    experimentId: string;
    key: string;
    kind: string;
    status: string;
    error?: string;
  };
  /** A manual step waits for an operator: POST /api/experiments/:id/steps/:key/confirm or `labloop confirm`. */
  'step.manual': { campaignId: string; experimentId: string; key: string; prompt: string };
  'step.confirmed': {
    campaignId: string;
    experimentId: string;
    key: string;
    ok: boolean;
    by?: string;
    note?: string;
  };
  'command.sent': { commandId: string; instrument: string; action: string; resend: boolean };
  'command.progress': { commandId: string; instrument: string; status: string; progress?: number };
  'command.finished': {
    experimentId: string;
    commandId: string;
    instrument: string;
    status: string;
    error?: string;
  };
  'instrument.status': { instrument: string; online: boolean; state?: string; detail?: string };
  /** A manual action (API or CLI), journaled before it is sent. */
  'manual.command': {
    commandId: string;
    instrument: string;
    action: string;
    params: Record<string, unknown>;
    source: ControlSource;
    /** Who asked (the API token's name), when known. */
    actor?: string;
    reason?: string;
  };
  'manual.finished': {
    commandId: string;
    instrument: string;
    action: string;
    status: string;
    error?: string;
  };
  /** An abort or emergency stop, journaled before it is sent; `emergency`: whatever runs, not one command. */
  'instrument.abort': {
    instruments: string[];
    target?: string;
    emergency: boolean;
    source: ControlSource;
    actor?: string;
    reason?: string;
  };
  'instrument.aborted': {
    instruments: string[];
    delivered: string[];
    failed: { instrument: string; reason: string }[];
  };
  'broker.status': { broker: string; connected: boolean };
  'mqtt.malformed': { instrument: string; topic: string; reason: string };
  /** An interlock tripped (emitted by the loop's interlocks, issue 6); alerts subscribe to it already. */
  'interlock.tripped': {
    interlock: string;
    campaignId?: string;
    instrument?: string;
    detail?: string;
    lab?: string;
    action?: 'hold' | 'abort';
    when?: string;
  };
  /** A tripped interlock was reset by a person (its condition had cleared); campaigns stay held. */
  'interlock.reset': { interlock: string; lab: string; by: string; reason?: string };
  /** A state-changing API call: who (token name), what (method, route, target), why, and how it ended. */
  'audit.call': {
    actor: string;
    method: string;
    route: string;
    target?: string;
    reason?: string;
    status: number;
    error?: string;
    campaignId?: string;
  };
  /** An API token was created or revoked (by the CLI, on the database directly). */
  'token.changed': { name: string; change: 'created' | 'revoked'; scopes: string[] };
  /** One call to a strategy's ask, timed (wall time) for the metrics. */
  'strategy.asked': { campaignId: string; count: number; seconds: number };
  /** An alert went out to a hook, or gave up. */
  'alert.delivered': { alert: string; hook: string; ok: boolean; attempts: number; error?: string };
}

/** Who asked for a manual action or an abort. */
export type ControlSource = 'api' | 'cli';

export type EventType = keyof EventMap;

export interface LabEvent<K extends EventType = EventType> {
  /** Row id in the event table for journaled events (the server-sent events id); absent for live-only events. */
  id?: number;
  type: K;
  /** Lab time, ms since the epoch. */
  ts: number;
  data: EventMap[K];
}

/** Ids that events index by in the event table. */
export function eventKeys(data: object): { campaignId: string | null; experimentId: string | null } {
  const d = data as { campaignId?: unknown; experimentId?: unknown };
  return {
    campaignId: typeof d.campaignId === 'string' ? d.campaignId : null,
    experimentId: typeof d.experimentId === 'string' ? d.experimentId : null,
  };
}
