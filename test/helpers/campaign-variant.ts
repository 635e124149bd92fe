/** A shipped campaign with a few keys changed (a smaller budget, another lab), written to a test folder. */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';

export function campaignVariant(
  file: string,
  dir: string,
  changes: { experiments?: number; lab?: string; strategy?: Record<string, unknown>; maxFailed?: number },
): string {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  const lab = changes.lab ?? resolve(dirname(file), String(doc.get('lab')));
  doc.set('lab', resolve(lab));
  if (changes.experiments !== undefined) doc.setIn(['budget', 'experiments'], changes.experiments);
  if (changes.strategy) doc.set('strategy', changes.strategy);
  if (changes.maxFailed !== undefined) doc.setIn(['budget', 'maxFailed'], changes.maxFailed);
  const out = join(dir, basename(file));
  writeFileSync(out, doc.toString());
  return out;
}
