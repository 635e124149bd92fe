/**
 * Turns an experiment's measurements into objective values. The `value` analyzer takes a named protocol output as
 * it is; a value that is not a finite number fails the experiment with a reason the strategy is told.
 */
import type { ObjectiveValues } from '../events/event-map.js';
import type { CampaignSpec } from '../protocol/campaign.schema.js';

export type AnalysisResult = { ok: true; values: ObjectiveValues } | { ok: false; reason: string };

export function analyzeObjectives(
  spec: CampaignSpec,
  outputs: Readonly<Record<string, unknown>>,
): AnalysisResult {
  const values: ObjectiveValues = {};
  for (const [name, objective] of Object.entries(spec.objectives)) {
    const measurement = objective.from?.measurement ?? name;
    const v = outputs[measurement];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      return {
        ok: false,
        reason: `objective ${name}: measurement ${measurement} is ${JSON.stringify(v) ?? 'missing'}, not a finite number`,
      };
    }
    values[name] = { mean: v };
  }
  return { ok: true, values };
}

/** The best observation for the campaign's first objective. */
export function isBetter(
  spec: CampaignSpec,
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
