/**
 * What ships validates: every YAML file under protocols/ and config/labs/ passes `labloop validate`, starts with the
 * yaml-language-server line that points editors at protocols/schema.json, and is accepted by that JSON Schema as an
 * editor would apply it. The committed schema is the one the zod schemas generate today.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { formatProblem } from '../common/lab-error.js';
import { documentJsonSchemaText } from './json-schema.js';
import { validateFile } from './document.loader.js';

const SCHEMA = 'protocols/schema.json';
const shipped = ['protocols', 'config/labs']
  .flatMap((dir) =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => join(dir, f)),
  )
  .sort();
const corpus = ['test/documents/valid', 'test/documents/labs'].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(dir, f)),
);

const ajv = new Ajv({ allErrors: true });
const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object);

describe('shipped documents', () => {
  it('protocols/schema.json is up to date (npm run schema)', () => {
    expect(readFileSync(SCHEMA, 'utf8')).toBe(documentJsonSchemaText());
  });

  it('ships at least a lab, a protocol, a campaign and a space file', () => {
    const kinds = shipped.map((f) => (parse(readFileSync(f, 'utf8')) as { kind?: string }).kind ?? 'space');
    expect(new Set(kinds)).toEqual(new Set(['lab', 'protocol', 'campaign', 'space']));
  });

  it.each(shipped)('%s validates', (file) => {
    expect(validateFile(file).map(formatProblem)).toEqual([]);
  });

  it.each([...shipped, ...corpus])('%s points editors at the JSON Schema, which accepts it', (file) => {
    const text = readFileSync(file, 'utf8');
    const first = text.split('\n')[0] ?? '';
    const m = /^# yaml-language-server: \$schema=(\S+)$/.exec(first);
    expect(m).not.toBeNull();
    expect(resolve(dirname(file), m?.[1] ?? '')).toBe(resolve(SCHEMA));
    const ok = validate(parse(text));
    expect(ok ? [] : validate.errors).toEqual([]);
  });

  it('the JSON Schema underlines what the validator refuses', () => {
    const bad = parse(readFileSync('protocols/demo.yaml', 'utf8')) as Record<string, unknown>;
    expect(validate({ ...bad, budget: { experiments: 'many' } })).toBe(false);
    expect(validate({ ...bad, strategie: {} })).toBe(false);
    const steps = [{ instrument: 'reader', action: 'measure', parms: {} }];
    expect(validate({ ...bad, protocol: { steps, outputs: {} } })).toBe(false);
    expect(validate({ ...bad, protocol: { steps: [{ wait: '5 min', timeout: 'soon' }] } })).toBe(false);
  });
});
