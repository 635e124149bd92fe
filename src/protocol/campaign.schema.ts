/**
 * A campaign file (`kind: campaign`): the lab it runs on, the protocol (a file or inline), the search space over the
 * protocol's inputs, constraints, objectives and where their values come from, the strategy, how many experiments
 * run at once, when to stop, what to do after a crash, when the lab may run, and the controls that watch for drift.
 */
import { z } from 'zod';
import { protocolSchema } from './protocol.schema.js';
import { duration, header, ident, integer, name, nonEmpty, scalar, unit } from './schema-parts.js';

const bounds = {
  min: z.number(),
  max: z.number(),
  unit: unit().optional().describe("The unit of min and max (default: the input's)"),
  log: z.boolean().default(false).describe('Search on a log scale (needs min > 0)'),
  description: z.string().optional(),
};

export const parameterSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('float'), ...bounds }),
  z.strictObject({ type: z.literal('int'), ...bounds, min: integer(), max: integer() }),
  z.strictObject({
    type: z.literal('categorical'),
    choices: z.array(z.union([z.string(), z.number()])).min(1),
    description: z.string().optional(),
  }),
]);

const measurement = ident().describe('A protocol output');
const timeAxis = ident()
  .optional()
  .describe('The output holding the sample times (default: one sample per second)');

export const analyzerSchema = z
  .discriminatedUnion('analyzer', [
    z
      .strictObject({ analyzer: z.literal('value'), measurement })
      .describe('The measurement as it is: one number'),
    z
      .strictObject({ analyzer: z.literal('mean'), measurement })
      .describe('Mean and standard error of replicates: a list of numbers'),
    z
      .strictObject({
        analyzer: z.literal('peak-area'),
        measurement,
        time: timeAxis,
        window: z.strictObject({ from: z.number(), to: z.number() }).optional().describe('Integrate between'),
        baseline: z.enum(['none', 'linear']).default('linear'),
      })
      .describe('Area of a chromatogram peak'),
    z
      .strictObject({
        analyzer: z.literal('initial-rate'),
        measurement,
        time: timeAxis,
        window: duration().optional().describe('Fit the slope over the first …'),
      })
      .describe('Initial slope of a kinetic read'),
    z
      .strictObject({
        analyzer: z.literal('growth-fit'),
        measurement,
        time: timeAxis,
        model: z.enum(['logistic', 'gompertz']).default('logistic'),
        report: z.enum(['rate', 'lag', 'yield']).default('rate'),
      })
      .describe('A growth curve fit'),
    z
      .strictObject({
        analyzer: z.literal('expr'),
        expr: z.string().min(1).describe('An expression over the outputs, e.g. yield / cost'),
      })
      .describe('A computed value'),
  ])
  .describe("Where the value comes from; default: the output with the objective's name, as it is");

export const objectiveSchema = z.strictObject({
  goal: z.enum(['maximize', 'minimize']),
  target: z
    .number()
    .optional()
    .describe(
      'The value that counts as good enough (a threshold for several objectives; budget.target stops there)',
    ),
  from: analyzerSchema.optional(),
  description: z.string().optional(),
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

export const budgetSchema = z
  .strictObject({
    experiments: integer().min(1).describe('Completed experiments after which the campaign ends'),
    maxFailed: integer().min(0).optional().describe('Failed experiments after which the campaign is held'),
    wallTime: duration().optional().describe('Lab time after which the campaign ends'),
    target: z.boolean().default(false).describe("End once one experiment reaches every objective's target"),
    patience: integer()
      .min(1)
      .optional()
      .describe('End after this many completed experiments without improvement'),
  })
  .describe('When the campaign ends');

export const recoverySchema = z
  .strictObject({
    interrupted: z
      .enum(['rerun', 'discard', 'hold'])
      .default('rerun')
      .describe(
        'An experiment whose outcome a crash left unknown: run its parameters again, drop it, or hold',
      ),
  })
  .describe('What to do after a crash');

const DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const clockTime = () => z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day such as 08:00');

export const weeklyWindowSchema = z.strictObject({
  days: z
    .array(z.enum(DAYS))
    .min(1)
    .default([...DAYS])
    .describe('Days of the week (default: every day)'),
  from: clockTime(),
  to: clockTime().describe('End of the window; before "from" means the next day'),
  reason: z.string().optional(),
});

export const datedBlockSchema = z.strictObject({
  start: z.string().min(1).describe('ISO date and time, e.g. 2026-03-02T06:00'),
  end: z.string().min(1),
  reason: z.string().optional(),
});

export const scheduleSchema = z
  .strictObject({
    timezone: z
      .string()
      .min(1)
      .optional()
      .describe("An IANA time zone, e.g. Europe/Berlin (default: the machine's)"),
    windows: z
      .array(weeklyWindowSchema)
      .min(1)
      .optional()
      .describe('When experiments may start (default: always)'),
    maintenance: z.array(z.union([weeklyWindowSchema, datedBlockSchema])).default([]),
  })
  .describe('When the lab may run');

export const controlSchema = z
  .strictObject({
    run: z
      .union([z.literal('incumbent'), z.record(ident(), z.union([z.number(), z.string()]))])
      .describe('incumbent (the best so far) or fixed parameter values'),
    every: integer().min(1).optional().describe('After every N experiments'),
    interval: duration().optional().describe('Or every so much lab time'),
  })
  .describe('A control experiment, to watch for drift');

export const campaignSchema = z.strictObject({
  ...header('campaign'),
  lab: z.string().min(1).describe('The lab file, relative to this file'),
  protocol: z
    .union([z.string().min(1).describe('A protocol file, relative to this file'), protocolSchema])
    .describe('The experiment: a protocol file, or the protocol itself'),
  fixed: z
    .record(ident(), z.union([scalar(), z.array(scalar())]))
    .default({})
    .describe("Values for protocol inputs that are not searched (default: the inputs' defaults)"),
  parameters: z
    .record(ident(), parameterSchema)
    .refine((p) => Object.keys(p).length > 0, nonEmpty('parameter'))
    .describe('The search space over protocol inputs'),
  constraints: z
    .array(z.string().min(1))
    .default([])
    .describe('Conditions over parameters every experiment satisfies, e.g. a + b + c <= 100'),
  objectives: z
    .record(ident(), objectiveSchema)
    .refine((o) => Object.keys(o).length > 0, nonEmpty('objective')),
  strategy: strategySchema.prefault({}),
  parallel: integer().min(1).default(1).describe('Experiments in flight at once'),
  budget: budgetSchema,
  recovery: recoverySchema.prefault({}),
  schedule: scheduleSchema.optional(),
  controls: z.array(controlSchema).default([]),
});

export type CampaignSpec = z.output<typeof campaignSchema>;
export type ParameterSpec = z.output<typeof parameterSchema>;
export type ObjectiveSpec = z.output<typeof objectiveSchema>;
export type StrategySpec = z.output<typeof strategySchema>;
export type AnalyzerSpec = z.output<typeof analyzerSchema>;
export type ScheduleSpec = z.output<typeof scheduleSchema>;
export type ControlSpec = z.output<typeof controlSchema>;
export type BudgetSpec = z.output<typeof budgetSchema>;
