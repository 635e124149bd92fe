/** What a simulated instrument model declares: its actions (typed, with a run function) and its readings. */
import type { Clock } from '../../src/common/clock.js';
import type { SeededRandom } from '../../src/common/seeded-random.js';
import type { ValueSpec } from '../../src/lab/instrument-driver.port.js';

export interface SimActionContext {
  clock: Clock;
  rng: SeededRandom;
  signal: AbortSignal;
  /** Reports progress in [0, 1]. */
  progress(fraction: number): void;
  /** Waits `ms` lab milliseconds; rejects when the command is aborted. */
  wait(ms: number): Promise<void>;
  /** The bias a drift fault adds to a quantity the model measures (0 without faults). */
  bias(reading: string): number;
}

export interface SimAction {
  params: Record<string, ValueSpec>;
  result: Record<string, ValueSpec>;
  run(params: Record<string, unknown>, ctx: SimActionContext): Promise<Record<string, unknown>>;
}

export interface SimReading extends ValueSpec {
  sample(now: number, rng: SeededRandom): unknown;
}

export interface SimModel {
  model: string;
  actions: Record<string, SimAction>;
  readings: Record<string, SimReading>;
  /** Lab ms between telemetry samples; 0 sends none. */
  telemetryPeriodMs: number;
  /** Measured quantities besides readings that a drift fault may bias (the model applies ctx.bias itself). */
  driftable?: string[];
}

/** What a model factory gets besides its options. */
export interface SimContext {
  /** The instrument's id in the lab. */
  id: string;
  /** The instrument's seed: fixed randomness of the device itself (e.g. its channels' biases). */
  seed: number;
  /** One object per lab and key, shared by every simulator of the lab (e.g. the bio bench they all work on). */
  shared<T>(key: string, create: () => T): T;
}

export type SimModelFactory = (options: Record<string, unknown>, ctx: SimContext) => SimModel;

/** A context for a model that shares nothing with others (tests, single instruments). */
export function soloContext(id: string, seed: number): SimContext {
  return labContext(id, seed, new Map());
}

/** A context whose shared objects live in `bag` (one bag per lab). */
export function labContext(id: string, seed: number, bag: Map<string, unknown>): SimContext {
  return {
    id,
    seed,
    shared: <T>(key: string, create: () => T): T => {
      if (!bag.has(key)) bag.set(key, create());
      return bag.get(key) as T;
    },
  };
}

/** A failure the model reports as the command's error (e.g. a jammed tip); anything else thrown is a bug. */
export class SimActionError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Checks params against an action's declared types and ranges; returns a message naming the bad parameter. */
export function checkParams(action: SimAction, params: Record<string, unknown>): string | undefined {
  for (const name of Object.keys(params)) {
    if (!action.params[name]) return `unknown parameter "${name}"`;
  }
  for (const [name, spec] of Object.entries(action.params)) {
    const v = params[name];
    if (v === undefined) return `missing parameter "${name}"`;
    if (spec.type === 'number' || spec.type === 'integer') {
      if (typeof v !== 'number' || !Number.isFinite(v)) return `parameter "${name}" must be a finite number`;
      if (spec.type === 'integer' && !Number.isInteger(v)) return `parameter "${name}" must be an integer`;
      if (spec.min !== undefined && v < spec.min) return `parameter "${name}" is ${v}, below ${spec.min}`;
      if (spec.max !== undefined && v > spec.max) return `parameter "${name}" is ${v}, above ${spec.max}`;
    } else if (typeof v !== spec.type) {
      return `parameter "${name}" must be a ${spec.type}`;
    }
    if (spec.enum && !spec.enum.includes(v as string | number))
      return `parameter "${name}" must be one of ${spec.enum.join(', ')}`;
  }
  return undefined;
}
