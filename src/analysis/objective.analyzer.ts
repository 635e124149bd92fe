/**
 * Turns an experiment's measurements into objective values, each through its analyzer (default: the output with the
 * objective's name, as it is). A value that cannot be derived fails the experiment with a reason the strategy is told.
 */
import type { ObjectiveValues } from '../events/event-map.js';
import type { CampaignSpec } from '../protocol/campaign.schema.js';
import { analyze, AVAILABLE_ANALYZERS, type Measurements } from './analyzers.js';

export type AnalysisResult = { ok: true; values: ObjectiveValues } | { ok: false; reason: string };

export function analyzeObjectives(spec: Pick<CampaignSpec, 'objectives'>, m: Measurements): AnalysisResult {
  const values: ObjectiveValues = {};
  for (const [name, objective] of Object.entries(spec.objectives)) {
    const a = analyze(objective.from ?? { analyzer: 'value', measurement: name }, m);
    if (!a.ok) return { ok: false, reason: `objective ${name}: ${a.reason}` };
    values[name] = a.sem === undefined ? { mean: a.mean } : { mean: a.mean, sem: a.sem };
  }
  return { ok: true, values };
}

/** Analyzers a campaign uses that this version cannot run yet. */
export function unavailableAnalyzers(spec: Pick<CampaignSpec, 'objectives'>): string[] {
  const available: readonly string[] = AVAILABLE_ANALYZERS;
  return Object.entries(spec.objectives)
    .filter(([, o]) => o.from && !available.includes(o.from.analyzer))
    .map(([name, o]) => `${name} (${o.from?.analyzer ?? ''})`);
}

/** The best observation for the campaign's first objective. */
export function isBetter(
  spec: Pick<CampaignSpec, 'objectives'>,
  candidate: ObjectiveValues,
  incumbent: ObjectiveValues | undefined,
): boolean {
  const [name, objective] = Object.entries(spec.objectives)[0] ?? [];
  if (!name || !objective) return false;
  const c = candidate[name]?.mean;
  const i = incumbent?.[name]?.mean;
  if (c === undefined) return false;
  if (i === undefined) return true;
  return objective.goal === 'maximize' ? c > i : c < i;
}
