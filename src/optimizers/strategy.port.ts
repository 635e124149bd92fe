/**
 * The strategy port (DESIGN.md): an optimizer behind ask/tell. Rebuilding after a restart is: construct with the
 * same seed, tell the stored history, carry on; the randomness of the k-th suggestion derives from (seed, k).
 */

export type ParamValue = number | string;

export interface Suggestion {
  id: string;
  params: Record<string, ParamValue>;
}

export interface Observation {
  suggestionId: string;
  params: Record<string, ParamValue>;
  /** One entry per objective. */
  values?: Record<string, { mean: number; sem?: number }>;
  /** The experiment failed: learn from it. */
  failed?: { reason: string };
  // Neither values nor failed: the experiment was interrupted or discarded. It counts as asked; it teaches nothing.
}

export type ParameterDef =
  | { type: 'float' | 'int'; min: number; max: number; log?: boolean; unit?: string }
  | { type: 'categorical'; choices: (string | number)[] };

export type SearchSpace = Record<string, ParameterDef>;
export type Objectives = Record<string, { goal: 'maximize' | 'minimize' }>;

/** A constraint over parameters, compiled from an expression such as `a + b + c <= 100` (constraints.ts). */
export interface Constraint {
  /** As written in the campaign. */
  expr: string;
  /** Present when linear: Σ coefficients[p]·p op rhs. Strict comparisons are given as their closure. */
  linear?: { coefficients: Record<string, number>; op: '<=' | '>=' | '=='; rhs: number };
  /** True when the point satisfies it (within a relative tolerance of 1e-9). */
  holds(params: Readonly<Record<string, ParamValue>>): boolean;
}

export interface Strategy {
  /** `pending`: proposed earlier and not yet observed. */
  ask(count: number, pending: Suggestion[]): Promise<Suggestion[]>;
  tell(observations: Observation[]): Promise<void>;
}

export interface StrategyInit {
  space: SearchSpace;
  objectives: Objectives;
  constraints: Constraint[];
  seed: number;
  options: Record<string, unknown>;
}

export type StrategyFactory = (init: StrategyInit) => Strategy;
