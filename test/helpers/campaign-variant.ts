/**
 * A shipped campaign with a few keys changed (a smaller budget, another lab, experiments in parallel), written to a
 * test folder. `edit` rewrites the file's text first (a protocol variant: literal replacements, said in the test).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parseDocument } from 'yaml';

export function campaignVariant(
  file: string,
  dir: string,
  changes: {
    experiments?: number;
    lab?: string;
    strategy?: Record<string, unknown>;
    maxFailed?: number;
    parallel?: number;
    edit?: (text: string) => string;
  },
): string {
  const text = readFileSync(file, 'utf8');
  const doc = parseDocument(changes.edit ? changes.edit(text) : text);
  const lab = changes.lab ?? resolve(dirname(file), String(doc.get('lab')));
  doc.set('lab', resolve(lab));
  if (changes.experiments !== undefined) doc.setIn(['budget', 'experiments'], changes.experiments);
  if (changes.strategy) doc.set('strategy', changes.strategy);
  if (changes.maxFailed !== undefined) doc.setIn(['budget', 'maxFailed'], changes.maxFailed);
  if (changes.parallel !== undefined) doc.set('parallel', changes.parallel);
  const out = join(dir, basename(file));
  writeFileSync(out, doc.toString());
  return out;
}
