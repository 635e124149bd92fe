/**
 * A fault script (`kind: faults`): what goes wrong with which simulated instrument, and when. Scripts are regression
 * fixtures — the same script and seed misbehave the same way every run — and live outside `protocols/` and
 * `config/labs/` (e.g. `simulators/faults/`). Tests build the same specs in code (`FaultSpec`).
 *
 * When a fault starts: `at` (lab time after the lab starts, default 0) and, optionally, `on` (the nth command —
 * of one action, or of any — received from then on), or `probability` (each matching command, seeded).
 * How long it lasts: `for` (lab time), `count` (commands affected), or until the `clearedBy` action runs.
 */
import { z } from 'zod';
import { parseDuration } from '../../src/common/durations.js';
import { integer, name } from '../../src/protocol/schema-parts.js';

export const FAULT_KINDS = [
  'offline',
  'late',
  'silent',
  'error',
  'garbage',
  'drift',
  'clog',
  'jam',
  'stuck',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

const durationMs = () =>
  z
    .union([z.number().nonnegative(), z.string()])
    .refine((v) => parseDuration(v) !== undefined, {
      message: 'expected a duration such as 30 s, 5 min or 2 h',
    })
    .transform((v) => parseDuration(v) as number);

const trigger = z
  .strictObject({
    action: name().optional().describe('Only commands of this action count (default: any)'),
    nth: integer().min(1).default(1).describe('The nth matching command triggers the fault'),
  })
  .describe('Start at a command rather than at a time');

const common = {
  instrument: name().describe('The simulated instrument (its id in the lab)'),
  at: durationMs().default(0).describe('Lab time after the lab starts when the fault is armed'),
  on: trigger.optional(),
  probability: z
    .number()
    .min(0)
    .max(1)
    .optional()
    .describe('Instead of `on`: each matching command triggers it with this probability (seeded)'),
  action: name().optional().describe('With probability: only commands of this action'),
  for: durationMs().optional().describe('How long it lasts once triggered (lab time)'),
  count: integer()
    .min(1)
    .optional()
    .describe('How many commands it affects once triggered (default 1 for per-command faults)'),
  description: z.string().optional(),
};

const code = z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'an error code in capitals, e.g. CLOT_DETECTED');

export const faultSpecSchema = z.discriminatedUnion('fault', [
  z
    .strictObject({ ...common, fault: z.literal('offline') })
    .describe('Drops off the network without saying goodbye (last will); back after `for` (default: never)'),
  z
    .strictObject({ ...common, fault: z.literal('late'), delay: durationMs() })
    .describe('Answers the affected commands `delay` late (before accepting them)'),
  z
    .strictObject({ ...common, fault: z.literal('silent') })
    .describe('Swallows the affected commands: no reply, not run'),
  z
    .strictObject({
      ...common,
      fault: z.literal('error'),
      code: code.default('INSTRUMENT_ERROR'),
      message: z.string().default('simulated instrument error'),
      status: z.enum(['failed', 'rejected']).default('failed'),
    })
    .describe('The affected commands end with this error instead of running'),
  z
    .strictObject({
      ...common,
      fault: z.literal('garbage'),
      target: z.enum(['reply', 'telemetry']).default('reply'),
    })
    .describe('Sends malformed payloads: replies of the affected commands, or telemetry while it lasts'),
  z
    .strictObject({
      ...common,
      fault: z.literal('drift'),
      reading: z.string().min(1).describe('The reading or result field that drifts'),
      rate: z.number().describe('Bias added per hour of lab time, in the units of the reading'),
      clearedBy: name().optional().describe('The action (a calibration) that removes the bias'),
    })
    .describe('A slow bias in a reading, growing while the fault lasts'),
  z
    .strictObject({
      ...common,
      fault: z.enum(['clog', 'jam']),
      code: code.optional(),
      clearedBy: name().describe('The maintenance action that clears it'),
    })
    .describe('Every command fails (state error) until the maintenance action runs'),
  z
    .strictObject({
      ...common,
      fault: z.literal('stuck'),
      clearedBy: name().optional().describe('An action that resets the instrument (runs even while stuck)'),
    })
    .describe('The next command hangs in `running` and the state stays busy until `for` ends or a reset'),
]);

export const faultScriptSchema = z.strictObject({
  kind: z.literal('faults').describe('A fault script for simulated instruments'),
  version: z.literal(1, { error: 'expected version 1' }),
  name: name(),
  description: z.string().optional(),
  seed: integer().default(1).describe('Seeds `probability` draws'),
  faults: z.array(faultSpecSchema).min(1),
});

export type FaultSpecInput = z.input<typeof faultSpecSchema>;
export type FaultSpec = z.output<typeof faultSpecSchema>;
export type FaultScript = z.output<typeof faultScriptSchema>;

/** Builds a FaultSpec in code (tests), with the same defaults and checks as a script. */
export function faultSpec(input: FaultSpecInput): FaultSpec {
  return faultSpecSchema.parse(input);
}
