/** `labloop schema [--out file]`: the JSON Schema of labloop files, for editors and other tools. */
import { writeFileSync } from 'node:fs';
import { documentJsonSchemaText } from '../protocol/json-schema.js';
import { EXIT } from './cli-errors.js';

export function schemaCommand(o: { out?: string }, out: NodeJS.WritableStream = process.stdout): number {
  const text = documentJsonSchemaText();
  if (o.out) writeFileSync(o.out, text);
  else out.write(text);
  return EXIT.ok;
}
