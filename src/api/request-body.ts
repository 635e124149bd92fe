/** Validates a request body against a zod schema; a bad one is a 400 naming the field and what was expected. */
import { z } from 'zod';
import { LabError } from '../common/lab-error.js';
import { formatPath } from '../common/yaml-source.js';
import { issuesToMessages } from '../common/schema-messages.js';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  const [first, ...rest] = issuesToMessages(result.error.issues, body ?? {}, schema);
  const field = first ? formatPath(first.path) : '';
  const message = first ? `${field ? `${field}: ` : ''}${first.message}` : 'invalid request body';
  const more = rest.length > 0 ? ` (and ${rest.length} more problem${rest.length === 1 ? '' : 's'})` : '';
  throw new LabError('REQUEST_INVALID', `${message}${more}`, field || undefined);
}

/** The JSON Schema of a body, for the OpenAPI document. */
export function openApiSchema(schema: z.ZodType): Record<string, unknown> {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input' }) as Record<string, unknown>;
  return rest;
}

export const reasonBody = z.strictObject({
  reason: z.string().max(500).optional().describe('Why: written to the campaign and the audit log'),
});
