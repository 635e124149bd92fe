/**
 * The document corpus (test/documents): every valid file validates cleanly, and every invalid file gives exactly the
 * messages in its `.expected` file — located, in reading order, with a suggestion where one exists. Protocol files
 * are checked against the corpus lab (as `labloop validate --lab` does).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatProblem } from '../common/lab-error.js';
import { sortProblems } from '../common/yaml-source.js';
import { validateFile } from './document.loader.js';

const ROOT = 'test/documents';
const LAB = join(ROOT, 'labs', 'bench.yaml');
const yamlIn = (dir: string): string[] =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(ROOT, dir, f));

const messages = (file: string): string[] =>
  sortProblems(validateFile(file, { lab: LAB })).map(formatProblem);

describe('document corpus', () => {
  it.each([...yamlIn('valid'), ...yamlIn('labs')])('%s is valid', (file) => {
    expect(messages(file)).toEqual([]);
  });

  it.each(yamlIn('invalid'))('%s gives exactly its expected messages', (file) => {
    const expected = readFileSync(file.replace(/\.yaml$/, '.expected'), 'utf8')
      .split('\n')
      .filter(Boolean);
    expect(expected.length).toBeGreaterThan(0);
    expect(messages(file)).toEqual(expected);
  });
});
