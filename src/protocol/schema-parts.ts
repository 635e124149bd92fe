/** Building blocks shared by the lab, protocol and campaign schemas. */
import { z } from 'zod';
import { parseDuration } from '../common/durations.js';

/** Names of instruments, actions, parameters, steps: what YAML keys and expressions can refer to. */
export const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export const name = () =>
  z.string().regex(NAME_PATTERN, 'a name of letters, digits, "_" and "-", starting with a letter');

export const integer = () => z.int({ error: 'expected an integer' });

export const duration = () =>
  z
    .union([z.number().nonnegative(), z.string()])
    .refine((v) => parseDuration(v) !== undefined, {
      message: 'expected a duration such as 30 s, 5 min or 250 ms',
    })
    .describe('A duration: a number of seconds, or text with a unit (ms, s, min, h, d)');

export const unit = () => z.string().min(1).describe('Unit of measure, e.g. degC, uL, mL/min, mM');

export const valueType = () => z.enum(['number', 'integer', 'string', 'boolean']);

export type ValueType = 'number' | 'integer' | 'string' | 'boolean';

export const header = <K extends string>(kind: K) => ({
  kind: z.literal(kind).describe('What this file is: lab, protocol or campaign'),
  version: z.literal(1, { error: 'expected version 1' }).describe('Language version'),
  name: name().describe('A short name used in logs, the API and the dashboard'),
  description: z.string().optional(),
});
