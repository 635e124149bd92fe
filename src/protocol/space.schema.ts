/**
 * A space file, for `labloop optimize`: a search space without a lab or a protocol — parameters, objectives and
 * optional constraints. It has no `kind` or `version`: it is what an optimizer needs, nothing more.
 */
import { z } from 'zod';
import { parameterSchema } from './campaign.schema.js';
import { ident, nonEmpty } from './schema-parts.js';

export const spaceObjectiveSchema = z.strictObject({
  goal: z.enum(['maximize', 'minimize']),
  target: z.number().optional(),
  description: z.string().optional(),
});

export const spaceSchema = z.strictObject({
  description: z.string().optional(),
  parameters: z
    .record(ident(), parameterSchema)
    .refine((p) => Object.keys(p).length > 0, nonEmpty('parameter')),
  constraints: z.array(z.string().min(1)).default([]),
  objectives: z
    .record(ident(), spaceObjectiveSchema)
    .refine((o) => Object.keys(o).length > 0, nonEmpty('objective')),
});

export type SpaceSpec = z.output<typeof spaceSchema>;
