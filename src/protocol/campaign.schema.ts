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

/**
 * Which strategy proposes the experiments: a built-in `name`, a `module` (a file relative to the campaign, or an npm
 * package) exporting a StrategyFactory, or an `external` HTTP service (docs/strategies.md). One of the three;
 * none means `name: random`.
 */
export const strategySchema = z
  .strictObject({
    name: name().optional().describe('A built-in strategy: random, sobol, lhs, grid or bayes'),
    module: z
      .string()
      .min(1)
      .optional()
      .describe(
        'A module exporting a StrategyFactory: ./file.js (relative to this file) or an npm package name',
      ),
    export: z
      .string()
      .min(1)
      .optional()
      .describe('The named export of the module to use (default: the default export, else createStrategy)'),
    external: z
      .strictObject({
        url: z.url({ protocol: /^https?$/, error: 'expected an http:// or https:// URL' }),
        timeout: duration().default('60 s').describe('Longest one request may take'),
        retries: integer()
          .min(0, { error: 'expected 0 to 10 retries' })
          .max(10, { error: 'expected 0 to 10 retries' })
          .default(2)
          .describe('Retries after a network error or a 5xx answer'),
      })
      .optional()
      .describe('A strategy served over HTTP (POST /ask, POST /tell)'),
    seed: integer().default(0),
    options: z.record(z.string(), z.unknown()).default({}).describe('Passed to the strategy as they are'),
  })
  .refine((s) => [s.name, s.module, s.external].filter((v) => v !== undefined).length <= 1, {
    message: 'expected one of name, module or external, not several',
  })
  .refine((s) => s.export === undefined || s.module !== undefined, {
    message: 'export names an export of a module: give module too',
    path: ['export'],
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
export type StrategySpec = z.output<typeof strategySchema>;
