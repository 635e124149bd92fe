/**
 * When a campaign stops starting experiments, from its budget: the completed experiments it asked for, too many
 * failures (held: a person should look), its wall time, every objective's target reached, or no improvement for
 * `patience` experiments. Plain code over the tally; the loop ends the campaign once nothing is left in flight.
 */
import { parseDuration } from '../common/durations.js';
import type { CampaignSpec } from '../protocol/campaign.schema.js';
import type { CampaignTally } from './campaign-tally.js';

export type StopRule = { stop: false } | { stop: true; status: 'completed' | 'held'; reason: string };

const GO: StopRule = { stop: false };

export function stopRule(spec: CampaignSpec, tally: CampaignTally, now: number, startedAt: number): StopRule {
  const b = spec.budget;
  const completed = tally.counts.completed;
  if (completed >= b.experiments)
    return {
      stop: true,
      status: 'completed',
      reason: `budget of ${b.experiments} completed experiments spent`,
    };
  // Since the last resume from held: a person who looked and resumed gets a fresh allowance.
  const failed = tally.failedSinceResume;
  const maxFailed = b.maxFailed ?? Math.max(3, b.experiments);
  // Without maxFailed, more failures than the budget holds the campaign: something is wrong with the lab.
  if (b.maxFailed === undefined ? failed > maxFailed : failed >= maxFailed)
    return {
      stop: true,
      status: 'held',
      reason: `${failed} experiments failed; check the instruments, then resume`,
    };
  const wall = b.wallTime === undefined ? undefined : parseDuration(b.wallTime);
  if (wall !== undefined && now - startedAt >= wall)
    return { stop: true, status: 'completed', reason: `wall time of ${b.wallTime} spent` };
  if (b.target && tally.best && reachesTargets(spec, tally.best.values))
    return {
      stop: true,
      status: 'completed',
      reason: `every objective reached its target (#${tally.best.seq})`,
    };
  if (b.patience !== undefined && tally.sinceImprovement >= b.patience)
    return {
      stop: true,
      status: 'completed',
      reason: `no improvement in the last ${tally.sinceImprovement} completed experiments (patience ${b.patience})`,
    };
  return GO;
}

function reachesTargets(spec: CampaignSpec, values: Record<string, { mean: number }>): boolean {
  const withTargets = Object.entries(spec.objectives).filter(([, o]) => o.target !== undefined);
  if (withTargets.length === 0) return false;
  return withTargets.every(([name, o]) => {
    const v = values[name]?.mean;
    if (v === undefined || o.target === undefined) return false;
    return o.goal === 'maximize' ? v >= o.target : v <= o.target;
  });
}
