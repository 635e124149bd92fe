/** What every leaf step (action, wait, read, manual) is given and gives back, and helpers they share. */
import { sleep } from '../common/clock.js';
import { ExpressionError } from '../common/expression.js';
import { Quantity, toPlain, ValueError, type Value } from '../common/quantity.js';
import type { CompiledProtocol } from '../protocol/plan.js';
import type { CommandRecord, StepRecord } from '../store/store.records.js';
import type { ExecutionPorts, StepOwner } from './execution.ports.js';
import type { RunScope } from './run-scope.js';

export interface LeafContext {
  e: StepOwner;
  key: string;
  scope: RunScope;
  plan: CompiledProtocol;
  ports: ExecutionPorts;
  /** The attempt a restart left running, to be continued rather than started again. */
  resume?: StepRecord;
  /** Commands already stored for this step, oldest first. */
  commands: CommandRecord[];
  /** Aborted when this experiment must stop starting things: drain, abort, or another branch failed or held. */
  stop: AbortSignal;
  /** Aborted when running commands must be aborted on the instruments. */
  abort: AbortSignal;
}

export type LeafResult =
  | {
      status: 'done';
      /** What the step produced, with units (for later expressions). */
      values: Record<string, Value>;
      /** Already journaled as done by the leaf itself (actions do it with the command's outcome). */
      journaled?: boolean;
    }
  | { status: 'failed'; reason: string }
  /** A command a crash left pending may or may not have acted, and its driver cannot tell: never repeated. */
  | { status: 'interrupted'; reason: string }
  | { status: 'suspended' };

export const SUSPENDED: LeafResult = { status: 'suspended' };

/** JSON for a step row: plain values, units kept apart. */
export function storable(values: Record<string, Value>): {
  values: Record<string, unknown>;
  units?: Record<string, string>;
} {
  const units: Record<string, string> = {};
  const plain: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(values)) {
    plain[k] = toPlain(v);
    if (v instanceof Quantity) units[k] = v.unit.text;
  }
  return Object.keys(units).length > 0 ? { values: plain, units } : { values: plain };
}

/** Resolves after `ms` of lab time; false when `signal` aborted first. */
export async function pause(ports: ExecutionPorts, ms: number, signal: AbortSignal): Promise<boolean> {
  if (ms <= 0) return !signal.aborted;
  try {
    await sleep(ports.clock, ms, signal);
    return true;
  } catch {
    return false;
  }
}

/** The message of an expression that could not be evaluated; rethrows anything else. */
export function expressionProblem(e: unknown): string {
  if (e instanceof ExpressionError || e instanceof ValueError) return e.message;
  throw e;
}
