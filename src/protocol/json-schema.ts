/**
 * The JSON Schema of every labloop file — lab, protocol, campaign, space — generated from the same zod schemas that
 * validate them at run time, for editors (`# yaml-language-server: $schema=…` at the top of each file). Committed as
 * protocols/schema.json by `npm run schema`; a test fails when the committed file is stale.
 */
import { z } from 'zod';
import { campaignSchema } from './campaign.schema.js';
import { labSchema } from './lab.schema.js';
import { protocolFileSchema } from './protocol.schema.js';
import { spaceSchema } from './space.schema.js';

export function documentJsonSchema(): Record<string, unknown> {
  const all = z
    .union([labSchema, protocolFileSchema, campaignSchema, spaceSchema])
    .describe(
      'A labloop file: kind: lab, protocol or campaign — or a space file for labloop optimize (no kind)',
    );
  const schema = z.toJSONSchema(all, { target: 'draft-7', io: 'input', unrepresentable: 'any' });
  return { ...schema, title: 'labloop file (lab, protocol, campaign or space)' };
}

/** The schema as committed: two-space JSON and a final newline. */
export function documentJsonSchemaText(): string {
  return `${JSON.stringify(documentJsonSchema(), null, 2)}\n`;
}
