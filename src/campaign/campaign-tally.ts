/**
 * What the loop needs to know about a campaign at every turn, kept in memory and updated as experiments end, so a
 * turn costs the same at the 10,000th experiment as at the first: counts by status (control runs apart), the
 * experiments in flight, the incumbent, how long since it improved, and when each control last ran. Loaded once from
 * the store when the loop (re)starts.
 */
import { isBetter } from '../analysis/objective.analyzer.js';
import type { ObjectiveValues, ParamValues } from '../events/event-map.js';
import type { Suggestion } from '../optimizers/strategy.port.js';
import type { CampaignSpec } from '../protocol/campaign.schema.js';
import type { RecordsRepository } from '../store/records.repository.js';
import type { ExperimentRecord } from '../store/store.records.js';
import { EXPERIMENT_STATUSES, isTerminalExperiment, type ExperimentStatus } from './campaign-states.js';

export interface Incumbent {
  experimentId: string;
  seq: number;
  params: ParamValues;
  values: ObjectiveValues;
}

export class CampaignTally {
  readonly counts = Object.fromEntries(EXPERIMENT_STATUSES.map((s) => [s, 0])) as Record<
    ExperimentStatus,
    number
  >;
  /** Experiments not yet ended, by id (control runs included). */
  readonly open = new Map<string, ExperimentRecord>();
  best?: Incumbent;
  /**
   * Failed experiments (control runs left out) since a person last resumed the campaign from held: a campaign held for
   * too many failures starts counting again when someone has looked and resumed it.
   */
  failedSinceResume = 0;
  /** Completed experiments since the incumbent last improved. */
  sinceImprovement = 0;
  lastSeq = 0;
  /** Per control (index in the campaign's `controls`): when it last ran, and designs completed since. */
  readonly controls: { lastAt?: number; designsSince: number }[];

  constructor(private readonly spec: CampaignSpec) {
    this.controls = spec.controls.map(() => ({ designsSince: 0 }));
  }

  static load(spec: CampaignSpec, records: RecordsRepository, campaignId: string): CampaignTally {
    const t = new CampaignTally(spec);
    const observations = new Map(records.observations(campaignId).map((o) => [o.experimentId, o.values]));
    const resumedAt = records.lastResumeFromHeld(campaignId) ?? -Infinity;
    for (const e of records.experiments(campaignId)) {
      t.lastSeq = Math.max(t.lastSeq, e.seq);
      if (!isTerminalExperiment(e.status)) t.open.set(e.id, e);
      if (e.kind === 'control') {
        const i = controlIndex(e.suggestionId);
        const c = i === undefined ? undefined : t.controls[i];
        if (c) {
          c.lastAt = e.createdAt;
          c.designsSince = 0;
        }
        continue;
      }
      t.counts[e.status]++;
      if (e.status === 'failed' && (e.finishedAt ?? 0) > resumedAt) t.failedSinceResume++;
      if (e.status === 'completed') t.noteCompleted(e, observations.get(e.id));
    }
    return t;
  }

  /** A new experiment was stored. */
  designed(e: ExperimentRecord): void {
    this.lastSeq = Math.max(this.lastSeq, e.seq);
    this.open.set(e.id, e);
    if (e.kind !== 'control') this.counts.designed++;
    else {
      const c = this.controls[controlIndex(e.suggestionId) ?? -1];
      if (c) {
        c.lastAt = e.createdAt;
        c.designsSince = 0;
      }
    }
  }

  /** An experiment changed status; `values` when it completed. */
  moved(e: ExperimentRecord, from: ExperimentStatus, to: ExperimentStatus, values?: ObjectiveValues): void {
    if (isTerminalExperiment(to)) this.open.delete(e.id);
    else this.open.set(e.id, { ...e, status: to });
    if (e.kind === 'control') return;
    this.counts[from]--;
    this.counts[to]++;
    if (to === 'failed') this.failedSinceResume++;
    if (to === 'completed') this.noteCompleted(e, values);
  }

  /** Experiments in flight that the budget counts (control runs left out). */
  get inFlight(): number {
    let n = 0;
    for (const e of this.open.values()) if (e.kind !== 'control') n++;
    return n;
  }

  /** Proposals not yet observed, as the strategy knows them. */
  pendingSuggestions(): Suggestion[] {
    return [...this.open.values()]
      .filter((e) => e.kind !== 'control')
      .map((e) => ({ id: e.suggestionId, params: e.params as Suggestion['params'] }));
  }

  private noteCompleted(e: ExperimentRecord, values: ObjectiveValues | undefined): void {
    for (const c of this.controls) c.designsSince++;
    if (values && isBetter(this.spec, values, this.best?.values)) {
      this.best = { experimentId: e.id, seq: e.seq, params: e.params, values };
      this.sinceImprovement = 0;
    } else this.sinceImprovement++;
  }
}

/** Control runs carry `control:<index>:<n>` as their suggestion id. */
export function controlSuggestionId(index: number, n: number): string {
  return `control:${index}:${n}`;
}

function controlIndex(suggestionId: string): number | undefined {
  const m = /^control:(\d+):/.exec(suggestionId);
  return m ? Number(m[1]) : undefined;
}
