/**
 * A protocol: the recipe of one experiment. Inputs (typed, with units and defaults) → steps → outputs (named
 * measurements). A protocol is a file of its own (`kind: protocol`) or written inline in a campaign.
 *
 * Steps: an instrument action, a wait (a duration, or a condition on readings), a read into a named measurement, a
 * manual step an operator confirms, and the control steps that hold other steps — a parallel group, a sequence, a
 * repetition over a list and a condition. Leaf steps carry a timeout and a failure policy.
 */
import { z } from 'zod';
import { condition, duration, header, ident, integer, name, scalar, unit } from './schema-parts.js';

export const inputSchema = z
  .strictObject({
    type: z.enum(['number', 'integer', 'string', 'boolean', 'list']),
    unit: unit().optional(),
    default: z.union([scalar(), z.array(scalar())]).optional(),
    min: z
      .number()
      .optional()
      .describe('Lowest value the protocol accepts (campaign parameters must stay above)'),
    max: z.number().optional().describe('Highest value the protocol accepts'),
    description: z.string().optional(),
  })
  .describe('A protocol input; a campaign searches over some inputs and fixes the others');

const POLICY = z.enum(['fail', 'skip', 'hold']);

export const failurePolicySchema = z
  .union([
    POLICY.describe(
      'fail: the experiment fails · skip: go on without this step · hold: hold the campaign for a human',
    ),
    z.strictObject({
      retry: integer().min(1).max(100).describe('Further attempts after the first'),
      backoff: duration().default(0).describe('Pause before the first retry'),
      factor: z.number().min(1).default(1).describe('Each further pause is this many times longer'),
      then: POLICY.default('fail').describe('What happens when every attempt failed'),
    }),
  ])
  .describe('What happens when the step fails (default: fail)');

/** Keys every step may carry. */
const stepCommon = {
  id: ident().optional().describe('Names the step, so later steps and outputs can use what it produced'),
  description: z.string().optional(),
};

/** Keys of the steps that do one thing (leaves). */
const leafCommon = {
  ...stepCommon,
  timeout: duration()
    .optional()
    .describe('Longest the step may take (actions: 5 min, reads: 30 s, manual: 12 h)'),
  onFailure: failurePolicySchema.optional(),
};

export const paramValueSchema = scalar().describe('A value, or an expression such as ${inputs.volume to uL}');

export const actionStepSchema = z
  .strictObject({
    ...leafCommon,
    instrument: name().describe('An instrument of the lab'),
    action: name().describe('One of its actions'),
    params: z.record(name(), paramValueSchema).default({}),
  })
  .describe('An instrument action');

export const waitUntilSchema = z.strictObject({
  until: condition().describe('Wait until this holds, e.g. reader.temperature >= 36.5 degC'),
  for: duration().optional().describe('…and has held for this long'),
});

export const waitStepSchema = z
  .strictObject({
    ...leafCommon,
    wait: z
      .union([duration(), z.string().min(1), waitUntilSchema])
      .describe('A duration (5 min, ${inputs.incubation}), or { until: condition } with a timeout'),
  })
  .describe('A wait');

export const readStepSchema = z
  .strictObject({
    ...leafCommon,
    read: z
      .string()
      .regex(/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)+$/, 'instrument.reading or steps.<id>.result.<name>')
      .describe('A live reading (reader.temperature) or an earlier result (steps.kinetic.result.rate)'),
    into: ident().describe('The measurement it becomes (a list, one per repetition, inside a repeat)'),
  })
  .describe('A read into a named measurement');

export const manualStepSchema = z
  .strictObject({
    ...leafCommon,
    manual: z.string().min(1).describe('What the operator must do; the step waits for their confirmation'),
  })
  .describe('A manual step');

/** Runs its steps at the same time; it ends when all have. */
export const parallelStepSchema = z
  .strictObject({
    ...stepCommon,
    get parallel(): z.ZodType<StepSpec[]> {
      return z.array(stepSchema).min(1);
    },
  })
  .describe('Steps that run at the same time');

export const groupStepSchema = z
  .strictObject({
    ...stepCommon,
    get steps(): z.ZodType<StepSpec[]> {
      return z.array(stepSchema).min(1);
    },
  })
  .describe('Steps that run one after the other (e.g. one branch of a parallel group)');

const iterate = {
  parallel: z.boolean().default(false).describe('Run the repetitions at the same time'),
};

export const repeatSchema = z.union([
  z.strictObject({
    for: ident().describe('The loop variable, e.g. well'),
    in: z
      .union([z.array(scalar()), z.string().min(1)])
      .describe('A list ([A1, A2, A3]) or an expression giving one (${inputs.wells})'),
    ...iterate,
  }),
  z.strictObject({
    for: ident().optional().describe('The loop variable: 1, 2, … times'),
    times: z
      .union([integer().min(0), z.string().min(1)])
      .describe('How many times (or ${inputs.replicates})'),
    ...iterate,
  }),
]);

export const repeatStepSchema = z
  .strictObject({
    ...stepCommon,
    repeat: repeatSchema,
    get steps(): z.ZodType<StepSpec[]> {
      return z.array(stepSchema).min(1);
    },
  })
  .describe('Steps repeated over a list (wells, replicates)');

export const ifStepSchema = z
  .strictObject({
    ...stepCommon,
    if: condition(),
    get then(): z.ZodType<StepSpec[]> {
      return z.array(stepSchema).min(1);
    },
    get else(): z.ZodOptional<z.ZodType<StepSpec[]>> {
      return z.array(stepSchema).min(1).optional();
    },
  })
  .describe('Steps that run only when a condition holds');

export const stepSchema: z.ZodType<StepSpec> = z.union([
  actionStepSchema,
  waitStepSchema,
  readStepSchema,
  manualStepSchema,
  parallelStepSchema,
  groupStepSchema,
  repeatStepSchema,
  ifStepSchema,
]);

export const protocolBody = {
  inputs: z.record(ident(), inputSchema).default({}),
  steps: z.array(stepSchema).min(1),
  outputs: z
    .record(ident(), z.string().min(1))
    .default({})
    .describe('Named measurements, e.g. rate: ${mean(steps.read.result.rate)}'),
};

/** A protocol written inside a campaign. */
export const protocolSchema = z.strictObject({ description: z.string().optional(), ...protocolBody });

/** A protocol file. */
export const protocolFileSchema = z.strictObject({ ...header('protocol'), ...protocolBody });

export type StepKind = 'action' | 'wait' | 'read' | 'manual' | 'parallel' | 'group' | 'repeat' | 'if';

/** Which kind a step is, from the key that names it. */
export function stepKind(step: object): StepKind | undefined {
  if ('instrument' in step || 'action' in step) return 'action';
  if ('wait' in step) return 'wait';
  if ('read' in step) return 'read';
  if ('manual' in step) return 'manual';
  if ('parallel' in step) return 'parallel';
  if ('repeat' in step) return 'repeat';
  if ('if' in step) return 'if';
  if ('steps' in step) return 'group';
  return undefined;
}

export type InputSpec = z.output<typeof inputSchema>;
export type FailurePolicySpec = z.output<typeof failurePolicySchema>;
export type ActionStepSpec = z.output<typeof actionStepSchema>;
export type WaitStepSpec = z.output<typeof waitStepSchema>;
export type ReadStepSpec = z.output<typeof readStepSchema>;
export type ManualStepSpec = z.output<typeof manualStepSchema>;
export type RepeatSpec = z.output<typeof repeatSchema>;

// The steps that hold steps are written out: TypeScript cannot infer a recursive schema's type.
interface StepCommon {
  id?: string;
  description?: string;
}
export interface ParallelStepSpec extends StepCommon {
  parallel: StepSpec[];
}
export interface GroupStepSpec extends StepCommon {
  steps: StepSpec[];
}
export interface RepeatStepSpec extends StepCommon {
  repeat: RepeatSpec;
  steps: StepSpec[];
}
export interface IfStepSpec extends StepCommon {
  if: string;
  then: StepSpec[];
  else?: StepSpec[];
}
export type StepSpec =
  | ActionStepSpec
  | WaitStepSpec
  | ReadStepSpec
  | ManualStepSpec
  | ParallelStepSpec
  | GroupStepSpec
  | RepeatStepSpec
  | IfStepSpec;
export type ProtocolSpec = z.output<typeof protocolSchema>;
export type ProtocolFileSpec = z.output<typeof protocolFileSchema>;
