/**
 * A campaign file (`kind: campaign`): the lab it runs on, the protocol (one experiment, inline), the search space
 * over the protocol's inputs, the objectives, the strategy and the budget.
 */
import { z } from 'zod';
import { duration, header, integer, name, unit, valueType } from './schema-parts.js';

const scalar = z.union([z.number(), z.string(), z.boolean()]);

export const inputSchema = z.strictObject({
  type: valueType(),
  unit: unit().optional(),
  default: scalar.optional(),
  description: z.string().optional(),
});

export const actionStepSchema = z.strictObject({
  id: name().optional().describe('Names the step so later steps and outputs can use its result'),
  instrument: name(),
  action: name(),
  params: z
    .record(name(), scalar)
    .default({})
    .describe('Values or expressions such as ${inputs.temperature}'),
  timeout: duration().optional().describe('Longest the step may take once sent (default 5 min)'),
});

export const protocolSchema = z.strictObject({
  inputs: z.record(name(), inputSchema).default({}),
  steps: z.array(actionStepSchema).min(1),
  outputs: z.record(name(), z.string()).describe('Named measurements, e.g. rate: ${steps.read.result.rate}'),
});

const bounds = { min: z.number(), max: z.number(), unit: unit().optional(), log: z.boolean().default(false) };

export const parameterSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('float'), ...bounds }),
  z.strictObject({ type: z.literal('int'), ...bounds, min: integer(), max: integer() }),
  z.strictObject({
    type: z.literal('categorical'),
    choices: z.array(z.union([z.string(), z.number()])).min(1),
  }),
]);

export const objectiveSchema = z.strictObject({
  goal: z.enum(['maximize', 'minimize']),
  from: z
    .strictObject({ analyzer: z.literal('value'), measurement: name() })
    .optional()
    .describe("Where the value comes from; default: the output with the objective's name"),
});

export const strategySchema = z.strictObject({
  name: name().default('random'),
  seed: integer().default(0),
  options: z.record(z.string(), z.unknown()).default({}),
});

export const campaignSchema = z.strictObject({
  ...header('campaign'),
  lab: z.string().min(1).describe('The lab file, relative to this file'),
  protocol: protocolSchema,
  parameters: z.record(name(), parameterSchema).refine((p) => Object.keys(p).length > 0, {
    message: 'expected at least one parameter',
  }),
  objectives: z.record(name(), objectiveSchema).refine((o) => Object.keys(o).length > 0, {
    message: 'expected at least one objective',
  }),
  strategy: strategySchema.prefault({}),
  parallel: integer().min(1).default(1).describe('Experiments in flight at once'),
  budget: z.strictObject({
    experiments: integer().min(1).describe('Completed experiments after which the campaign ends'),
  }),
});

export type CampaignSpec = z.output<typeof campaignSchema>;
export type ProtocolSpec = z.output<typeof protocolSchema>;
export type ActionStepSpec = z.output<typeof actionStepSchema>;
export type ParameterSpec = z.output<typeof parameterSchema>;
export type ObjectiveSpec = z.output<typeof objectiveSchema>;
