/** A campaign as a table (one row per experiment) and as one JSON document, both drawn from the dataset. */
import type { CampaignDataset, ExperimentData } from './campaign-dataset.js';
import { commandView } from './command-view.js';

export const EXPORT_FORMAT_VERSION = 1;

function iso(t: number | null): string {
  return t === null ? '' : new Date(t).toISOString();
}

function duration(e: ExperimentData): number | null {
  return e.startedAt !== null && e.finishedAt !== null ? (e.finishedAt - e.startedAt) / 1000 : null;
}

/** RFC 4180: fields with a comma, quote or line break are quoted; quotes doubled. */
export function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Columns: seq, id, status, each parameter, each objective (mean and sem), times, re-sends, reason. */
export function toCsv(d: CampaignDataset): string {
  const params = Object.keys(d.doc.spec.parameters);
  const objectives = Object.keys(d.doc.spec.objectives);
  const header = [
    'seq',
    'experiment_id',
    'status',
    ...params,
    ...objectives.flatMap((o) => [o, `${o}_sem`]),
    'started_at',
    'finished_at',
    'duration_s',
    'commands',
    'resends',
    'reason',
  ];
  const rows = d.experiments.map((e) => [
    e.seq,
    e.id,
    e.status,
    ...params.map((p) => e.params[p]),
    ...objectives.flatMap((o) => [e.values?.[o]?.mean, e.values?.[o]?.sem]),
    iso(e.startedAt),
    iso(e.finishedAt),
    duration(e),
    e.commands.length,
    e.commands.reduce((n, c) => n + Math.max(0, c.sends - 1), 0),
    e.reason,
  ]);
  return [header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

/** Everything, for scripts: the spec's search space and objectives with units, every experiment with raw results. */
export function toJsonExport(d: CampaignDataset): Record<string, unknown> {
  const spec = d.doc.spec;
  return {
    format: 'labloop-campaign',
    formatVersion: EXPORT_FORMAT_VERSION,
    campaign: d.summary,
    parameters: spec.parameters,
    objectives: spec.objectives,
    strategy: spec.strategy,
    budget: spec.budget,
    provenance: d.provenance,
    experiments: d.experiments.map((e) => ({
      seq: e.seq,
      id: e.id,
      status: e.status,
      reason: e.reason,
      params: e.params,
      values: e.values,
      createdAt: iso(e.createdAt),
      startedAt: iso(e.startedAt) || null,
      finishedAt: iso(e.finishedAt) || null,
      durationSeconds: duration(e),
      commands: e.commands.map(commandView),
    })),
    statusLog: d.statusLog.map((s) => ({ ...s, ts: iso(s.ts) })),
  };
}
