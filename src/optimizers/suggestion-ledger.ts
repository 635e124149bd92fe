/**
 * What a built-in strategy remembers: the observations told, by suggestion id. It implements the rebuild rule of the
 * port: the index k of the next suggestion counts every distinct suggestion id told or pending, so a strategy
 * rebuilt from the stored history and asked with the same pending suggestions derives the same k — and from
 * (seed, k) the same randomness — as the one that ran before. Observations are kept in a canonical order (by id)
 * so that models fitted on them do not depend on the order in which results arrived.
 */
import type { Observation, Suggestion } from './strategy.port.js';

export class SuggestionLedger {
  private readonly told = new Map<string, Observation>();
  private sorted: Observation[] | undefined;

  record(observations: readonly Observation[]): void {
    for (const o of observations) this.told.set(o.suggestionId, o);
    if (observations.length > 0) this.sorted = undefined;
  }

  /** k of the first suggestion of the next ask. */
  nextIndex(pending: readonly Suggestion[]): number {
    const pendingOnly = new Set(pending.map((p) => p.id).filter((id) => !this.told.has(id)));
    return this.told.size + pendingOnly.size;
  }

  /** Pending suggestions not yet told (a result may arrive while the caller still lists it as pending). */
  stillPending(pending: readonly Suggestion[]): Suggestion[] {
    const seen = new Set<string>();
    return pending.filter((p) => !this.told.has(p.id) && !seen.has(p.id) && seen.add(p.id));
  }

  /** Every observation told, in canonical order. */
  observations(): Observation[] {
    this.sorted ??= [...this.told.values()].sort((a, b) => compareIds(a.suggestionId, b.suggestionId));
    return this.sorted;
  }

  get size(): number {
    return this.told.size;
  }
}

/** The id of the k-th suggestion (0-based). */
export function suggestionId(k: number): string {
  return `s${k + 1}`;
}

/** Shorter ids first, then by text: s2 < s10, and any ids get a total order. */
export function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
