/**
 * A compiled protocol: the steps as a tree of nodes an interpreter runs, with expressions parsed, durations in lab
 * milliseconds, failure policies spelled out and units taken from the lab. Compiled once per campaign, run for every
 * experiment (src/execution) and walked for dry runs (`labloop plan`).
 *
 * Step keys: a step's key is its id, or `#n` (its place among its siblings), prefixed by the keys of the steps
 * around it — `prepare/#2`, `replicates[3]/read`, `check/else/#1`. Keys are stable for a given protocol text, so a
 * restarted experiment finds what each step already did.
 */
import type { Node } from '../common/expression.js';
import type { InputSpec } from './protocol.schema.js';
import type { Template } from './value-template.js';

export interface FailurePolicy {
  /** Further attempts after the first. */
  retries: number;
  /** Pause before the first retry, lab ms; each further one is `factor` times longer. */
  backoffMs: number;
  factor: number;
  /** When every attempt failed. */
  then: 'fail' | 'skip' | 'hold';
}

interface NodeBase {
  /** The step's own key segment: its id or `#n`. */
  segment: string;
  id?: string;
  /** Where it is written, for messages: `steps[2].parallel[0]`. */
  where: string;
}

interface LeafBase extends NodeBase {
  policy: FailurePolicy;
}

export interface ActionNode extends LeafBase {
  kind: 'action';
  instrument: string;
  action: string;
  /** Each parameter's value, and the unit the instrument takes it in. */
  params: Record<string, { value: Template; unit?: string }>;
  /** Result names and their units. */
  results: Record<string, string | undefined>;
  timeoutMs: number;
  /** The lab's typical duration of the action, for plans and estimates. */
  expectedMs?: number;
}

export interface WaitNode extends LeafBase {
  kind: 'wait';
  /** A fixed wait: a duration (number of ms) or an expression giving a time or a number of seconds. */
  duration?: number | Template;
  /** Or a condition on readings and results, held for `forMs`. */
  until?: { condition: Node; text: string; forMs: number };
  timeoutMs?: number;
}

export interface ReadNode extends LeafBase {
  kind: 'read';
  source: { reading: { instrument: string; name: string; unit?: string } } | { result: string[] };
  into: string;
  timeoutMs: number;
}

export interface ManualNode extends LeafBase {
  kind: 'manual';
  prompt: Template;
  timeoutMs: number;
}

export interface ParallelNode extends NodeBase {
  kind: 'parallel';
  branches: PlanNode[];
}

export interface SequenceNode extends NodeBase {
  kind: 'sequence';
  steps: PlanNode[];
}

export interface RepeatNode extends NodeBase {
  kind: 'repeat';
  variable?: string;
  over: { list: Template } | { times: Template };
  parallel: boolean;
  body: PlanNode[];
}

export interface IfNode extends NodeBase {
  kind: 'if';
  condition: Node;
  text: string;
  then: PlanNode[];
  else: PlanNode[];
}

export type LeafNode = ActionNode | WaitNode | ReadNode | ManualNode;
export type PlanNode = LeafNode | ParallelNode | SequenceNode | RepeatNode | IfNode;

export interface CompiledProtocol {
  inputs: Record<string, InputSpec>;
  steps: PlanNode[];
  outputs: Record<string, Template>;
  /** The lab's readings (`instrument.reading`) with their units, for conditions at run time. */
  readings: Record<string, { instrument: string; name: string; unit?: string }>;
}

export const DEFAULT_TIMEOUT_MS = { action: 5 * 60_000, read: 30_000, manual: 12 * 3_600_000 } as const;

export function isLeaf(n: PlanNode): n is LeafNode {
  return n.kind === 'action' || n.kind === 'wait' || n.kind === 'read' || n.kind === 'manual';
}

/** The full key of a child: `parent/segment`. */
export function childKey(parent: string | undefined, segment: string): string {
  return parent ? `${parent}/${segment}` : segment;
}
