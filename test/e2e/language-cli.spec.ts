/**
 * The language's commands as a user runs them: `labloop validate` on any mix of kinds (exit 0 / 1, `--json`),
 * breaking the shipped examples (a wrong type, an unknown instrument, a range past a hard limit) gives located,
 * actionable errors; `labloop plan` prints a timeline for each shipped campaign; `labloop confirm` without a daemon
 * says so. None of them connects to an instrument.
 */
import { copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labloop } from '../helpers/labloop-process.js';
import { tempDir } from '../helpers/temp-dir.js';

const shipped = ['protocols', 'config/labs'].flatMap((d) =>
  readdirSync(d)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(d, f)),
);

describe('labloop validate (the language)', () => {
  it('passes every shipped file, of every kind, and reports per file in JSON', async () => {
    const p = labloop(['validate', ...shipped, '--json']);
    expect((await p.exited).code).toBe(0);
    const results = JSON.parse(p.stdout()) as { file: string; ok: boolean; problems: unknown[] }[];
    expect(results.map((r) => r.file).sort()).toEqual([...shipped].sort());
    expect(results.every((r) => r.ok && r.problems.length === 0)).toBe(true);
  });

  it('locates every problem of broken examples, with suggestions, and exits 1', async () => {
    const dir = tempDir();
    try {
      const at = (f: string): string => join(dir.path, f);
      copyFileSync('protocols/schema.json', at('schema.json'));
      writeFileSync(at('lab.yaml'), readFileSync('config/labs/demo.yaml', 'utf8'));
      writeFileSync(
        at('assay.yaml'),
        readFileSync('protocols/enzyme-assay.yaml', 'utf8')
          .replace('- id: blank\n    instrument: reader', '- id: blank\n    instrument: raeder')
          .replace('replicates: { type: integer, default: 3', 'replicates: { type: integer, default: three'),
      );
      writeFileSync(
        at('campaign.yaml'),
        readFileSync('protocols/enzyme-replicates.yaml', 'utf8')
          .replace('lab: ../config/labs/demo.yaml', 'lab: lab.yaml')
          .replace('protocol: enzyme-assay.yaml', 'protocol: assay.yaml')
          .replace('min: 25, max: 65, unit: degC', 'min: 25, max: 95, unit: degC'),
      );
      const p = labloop(['validate', at('campaign.yaml')]);
      expect((await p.exited).code).toBe(1);
      const lines = p.stdout().trim().split('\n');
      expect(lines.map((l) => l.replace(dir.path, 'D'))).toEqual([
        'D/assay.yaml:13:41: inputs.replicates.default: expected a number, got "three"',
        'D/assay.yaml:19:17: steps[0].instrument: no instrument "raeder" in the lab; did you mean "reader"?',
        'D/assay.yaml:37:24: steps[3].steps[0].params.temperature: parameter temperature (range 25..95 degC) reaches 75 degC, above the hard limit 70 degC of reader.measure.temperature',
        'D/campaign.yaml:16:45: parameters.temperature.max: the protocol accepts temperature up to 70 degC, got max 95 degC',
        '1 of 1 file has problems',
      ]);
    } finally {
      dir.cleanup();
    }
  });
});

describe('labloop plan', () => {
  it.each(['protocols/demo.yaml', 'protocols/enzyme-replicates.yaml'])(
    'prints the step timeline of %s and an estimate, connecting to nothing',
    async (campaign) => {
      const p = labloop(['plan', campaign], { LABLOOP_MQTT__URL: 'mqtt://127.0.0.1:1' });
      expect((await p.exited).code).toBe(0);
      const out = p.stdout();
      expect(out).toMatch(/^campaign \S+ · lab demo · protocol /);
      expect(out).toMatch(/example parameters: temperature = 45 degC, ph = 7\.25, substrate = 4\.472 mM/);
      expect(out).toMatch(/\n\s*start\s+takes\s+step\s+what\s+parameters\n/);
      expect(out).toMatch(/reader\.measure\s+temperature=45 degC ph=7\.25 substrate=4\.472 mM/);
      expect(out).toMatch(/\ncampaign: \d+ experiments, 1 at a time: about /);
    },
  );

  it('refuses a broken campaign like run does, with located problems', async () => {
    const dir = tempDir();
    try {
      const bad = join(dir.path, 'bad.yaml');
      writeFileSync(
        bad,
        readFileSync('protocols/demo.yaml', 'utf8')
          .replace('lab: ../config/labs/demo.yaml', `lab: ${join(process.cwd(), 'config/labs/demo.yaml')}`)
          .replace('action: measure', 'action: measur'),
      );
      const p = labloop(['plan', bad]);
      expect((await p.exited).code).toBe(1);
      expect(p.stderr()).toMatch(
        /bad\.yaml:\d+:\d+: protocol\.steps\[0\]\.action: reader has no action "measur"; did you mean "measure"\?/,
      );
    } finally {
      dir.cleanup();
    }
  });
});

describe('labloop confirm', () => {
  it('says when no daemon answers', async () => {
    const p = labloop(['confirm', 'e1', 'load', '--url', 'http://127.0.0.1:1']);
    expect((await p.exited).code).toBe(3);
    expect(p.stderr()).toMatch(/no labloop daemon answers at http:\/\/127\.0\.0\.1:1/);
  });
});
