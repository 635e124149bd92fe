import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { formatProblem } from '../common/lab-error.js';
import { loadCampaignFile, validateFile } from './document.loader.js';

const DEMO_LAB = readFileSync(resolve('config/labs/demo.yaml'), 'utf8');
const DEMO_CAMPAIGN = readFileSync(resolve('protocols/demo.yaml'), 'utf8');

/** Writes a lab and a campaign (edited by `edit`) side by side; returns the campaign's path. */
function pair(
  editCampaign: (t: string) => string = (t) => t,
  editLab: (t: string) => string = (t) => t,
): string {
  const dir = mkdtempSync(join(tmpdir(), 'labloop-docs-'));
  writeFileSync(join(dir, 'lab.yaml'), editLab(DEMO_LAB));
  const campaign = join(dir, 'campaign.yaml');
  writeFileSync(
    campaign,
    editCampaign(DEMO_CAMPAIGN.replace('lab: ../config/labs/demo.yaml', 'lab: lab.yaml')),
  );
  return campaign;
}

function messages(file: string): string[] {
  return validateFile(file).map((p) => formatProblem({ ...p, file: 'F' }));
}

describe('lab and campaign files', () => {
  it('accepts the shipped demo', () => {
    expect(validateFile('protocols/demo.yaml')).toEqual([]);
    expect(validateFile('config/labs/demo.yaml')).toEqual([]);
    const doc = loadCampaignFile('protocols/demo.yaml');
    expect(doc.spec.budget.experiments).toBeGreaterThanOrEqual(20);
    expect(Object.keys(doc.spec.parameters)).toHaveLength(3);
    expect(doc.lab.spec.instruments['reader']?.limits['temperature']).toEqual({
      min: 20,
      max: 70,
      unit: 'degC',
    });
  });

  it('names an unknown instrument and suggests the right one', () => {
    const file = pair((t) => t.replace('instrument: reader', 'instrument: raeder'));
    expect(messages(file)).toEqual([
      'F:16:19: protocol.steps[0].instrument: no instrument "raeder" in the lab; did you mean "reader"?',
    ]);
  });

  it('reports a search space that can exceed a hard limit, with the worst case', () => {
    const file = pair((t) =>
      t.replace(
        'temperature: { type: float, min: 25, max: 65',
        'temperature: { type: float, min: 25, max: 95',
      ),
    );
    expect(messages(file)).toEqual([
      'F:19:22: protocol.steps[0].params.temperature: parameter temperature (range 25..95 degC) reaches 95 degC, above the hard limit 70 degC of reader.measure.temperature',
    ]);
  });

  it('reports a wrong type where it stands', () => {
    const file = pair((t) => t.replace('experiments: 24', 'experiments: many'));
    expect(messages(file)).toEqual(['F:39:16: budget.experiments: expected an integer, got "many"']);
  });

  it('requires a hard limit for every numeric action parameter of a lab', () => {
    const file = pair(undefined, (t) => t.replace('      ph: { min: 4, max: 10 }\n', ''));
    expect(messages(file)).toEqual([
      'F:18:15: instruments.reader.actions.measure.params.ph: no hard limit; add limits: { ph: { min: …, max: … } } to the instrument',
    ]);
  });

  it('reports every problem of a file at once, in reading order', () => {
    const file = pair((t) => t.replace('goal: maximize', 'goal: maximise').replace('seed: 42', 'seed: 4.2'));
    expect(messages(file)).toEqual([
      'F:32:17: objectives.rate.goal: expected one of "maximize", "minimize", got "maximise"; did you mean "maximize"?',
      'F:36:9: strategy.seed: expected an integer, got 4.2',
    ]);
  });

  it('tells what a file is from its kind, not its name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'labloop-docs-'));
    const f = join(dir, 'x.yaml');
    writeFileSync(f, 'kind: recipe\nversion: 1\n');
    expect(messages(f)).toEqual(['F:1:7: kind: expected one of "lab", "protocol", "campaign", got "recipe"']);
  });

  it('reports broken YAML with its place and never throws', () => {
    const f = pair(() => 'kind: campaign\nparameters: { a: [1, 2\n');
    const [first] = messages(f);
    expect(first).toMatch(/^F:\d+:\d+: /);
  });
});

describe('broken YAML', () => {
  it('locates an alias to an anchor that does not exist (found by the property test)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'labloop-docs-'));
    const f = join(dir, 'lab.yaml');
    writeFileSync(f, 'kind: lab\nversion: 1\nname: x\ninstruments:\n  a: *nothing\n');
    expect(messages(f)).toEqual([
      'F:5:6: Unresolved alias (the anchor must be set before the alias): nothing',
    ]);
  });
});
