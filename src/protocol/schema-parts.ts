/** Building blocks shared by the lab, protocol, campaign and space schemas. */
import { z } from 'zod';
import { parseDuration } from '../common/durations.js';

/** Names of instruments, actions, parameters: what YAML keys refer to. */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** Names expressions refer to (inputs, parameters, step ids, measurements, loop variables): no "-", which subtracts. */
export const IDENT_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const name = () =>
  z.string().regex(NAME_PATTERN, 'a name of letters, digits, "_" and "-", starting with a letter');

export const ident = () =>
  z
    .string()
    .regex(IDENT_PATTERN, 'a name of letters, digits and "_", starting with a letter (expressions use it)');

export const integer = () => z.int({ error: 'expected an integer' });

/** For editors only (JSON Schema); validation itself is parseDuration, with a readable message. */
const DURATION_PATTERN = '^\\s*(\\d+(\\.\\d+)?|\\.\\d+)\\s*(ms|s|sec|min|h|d)?\\s*$';

export const duration = () =>
  z
    .union([z.number().nonnegative(), z.string().meta({ pattern: DURATION_PATTERN })])
    .refine((v) => parseDuration(v) !== undefined, {
      error: (issue) =>
        `expected a duration such as 30 s, 5 min or 250 ms, got ${JSON.stringify(issue.input)}`,
    })
    .describe('A duration: a number of seconds, or text with a unit (ms, s, min, h, d)');

/** Text holding `${…}` expressions. */
export const TEMPLATE_TEXT = /\$\{/;

export const unit = () => z.string().min(1).describe('Unit of measure, e.g. degC, uL, mL/min, mM');

export const valueType = () => z.enum(['number', 'integer', 'string', 'boolean']);

export type ValueType = 'number' | 'integer' | 'string' | 'boolean';

export const scalar = () => z.union([z.number(), z.string(), z.boolean()]);

/** A condition in the expression language, e.g. `reader.temperature >= 36.5 degC`. */
export const condition = () =>
  z.string().min(1).describe('A condition, e.g. reader.temperature >= 36.5 degC or inputs.substrate > 20');

export const KINDS = ['lab', 'protocol', 'campaign'] as const;

export const header = <K extends string>(kind: K) => ({
  kind: z.literal(kind).describe('What this file is: lab, protocol or campaign'),
  version: z.literal(1, { error: 'expected version 1' }).describe('Language version'),
  name: name().describe('A short name used in logs, the API and the dashboard'),
  description: z.string().optional(),
});

/** A mapping that must hold at least one entry. */
export const nonEmpty = (what: string) => ({
  message: `expected at least one ${what}`,
});
