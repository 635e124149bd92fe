/** `labloop run` and `labloop validate` as child processes, checked by exit code and by the rows they stored. */
import { existsSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { campaignVariant } from '../helpers/campaign-variant.js';
import { labloop } from '../helpers/labloop-process.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('labloop run', () => {
  it('runs the demo campaign to completion, prints the outcome and stores every row', async () => {
    const dir = tempDir();
    try {
      const p = labloop(['run', 'protocols/demo.yaml', '--data-dir', dir.path, '--json']);
      const { code } = await p.exited;
      expect({ code, stderr: p.stderr() }).toEqual({ code: 0, stderr: expect.any(String) });
      const outcome = JSON.parse(p.stdout()) as {
        status: string;
        experiments: Record<string, number>;
        best: { values: { rate: { mean: number } } };
      };
      expect(outcome.status).toBe('completed');
      expect(outcome.experiments.completed).toBe(24);

      const db = new Database(join(dir.path, 'labloop.sqlite'), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const experiments = db.prepare('SELECT id, seq, status FROM experiment ORDER BY seq').all() as {
          id: string;
          seq: number;
          status: string;
        }[];
        expect(experiments.map((e) => e.seq)).toEqual(Array.from({ length: 24 }, (_, i) => i + 1));
        expect(new Set(experiments.map((e) => e.status))).toEqual(new Set(['completed']));
        const done = db.prepare("SELECT COUNT(*) AS n FROM command WHERE status = 'done'").get() as {
          n: number;
        };
        expect(done.n).toBe(24);
        const observations = db.prepare('SELECT "values" FROM observation').all() as { values: string }[];
        const best = Math.max(
          ...observations.map((o) => (JSON.parse(o.values) as { rate: { mean: number } }).rate.mean),
        );
        expect(outcome.best.values.rate.mean).toBe(best);
        const status = db.prepare('SELECT status FROM campaign').get() as { status: string };
        expect(status.status).toBe('completed');
      } finally {
        db.close();
      }
    } finally {
      dir.cleanup();
    }
  });

  it('exits 2 with the outcome on stdout when the campaign ends held, and again when run on the held campaign', async () => {
    // The shipped enzyme campaign on the in-process bio lab, virtual clock; the liquid handler jams at its third
    // transfer and nobody clears it: two experiments fail, budget.maxFailed 2 holds the campaign.
    const dir = tempDir();
    try {
      const campaign = campaignVariant('protocols/bio/enzyme-assay.yaml', dir.path, {
        experiments: 4,
        lab: 'test/fixtures/sim-bio-inprocess.yaml',
        maxFailed: 2,
      });
      const data = join(dir.path, 'data');
      const args = ['run', campaign, '--data-dir', data, '--clock', 'virtual', '--json'];
      const env = { LABLOOP_SIMULATORS__FAULTS: 'test/fixtures/faults/lh-jams.yaml' };
      const p = labloop(args, env);
      expect({ code: (await p.exited).code, stderr: p.stderr() }).toEqual({
        code: 2,
        stderr: expect.any(String),
      });
      const outcome = JSON.parse(p.stdout()) as {
        status: string;
        reason: string;
        experiments: Record<string, number>;
      };
      expect(outcome).toMatchObject({
        status: 'held',
        reason: expect.stringMatching(/^2 experiments failed/) as unknown,
        experiments: { completed: 0, failed: 2 },
      });
      const db = new Database(join(data, 'labloop.sqlite'), { readonly: true });
      try {
        expect(db.prepare('SELECT status FROM campaign').get()).toEqual({ status: 'held' });
        const open = db.prepare(
          "SELECT COUNT(*) AS n FROM command WHERE status NOT IN ('done', 'failed', 'rejected')",
        );
        expect(open.get()).toEqual({ n: 0 });
      } finally {
        db.close();
      }
      // Held waits for a person: running it again starts nothing and says so the same way.
      const again = labloop(args, env);
      expect((await again.exited).code).toBe(2);
      expect(JSON.parse(again.stdout())).toMatchObject({ status: 'held', experiments: { failed: 2 } });
    } finally {
      dir.cleanup();
    }
  });

  it('refuses a malformed campaign with located errors, exit 1, no stack trace and no rows', async () => {
    const dir = tempDir();
    try {
      const bad = join(dir.path, 'bad.yaml');
      writeFileSync(
        bad,
        readFileSync('protocols/demo.yaml', 'utf8')
          .replace('lab: ../config/labs/demo.yaml', `lab: ${join(process.cwd(), 'config/labs/demo.yaml')}`)
          .replace('experiments: 24', 'experiments: -1')
          .replace('goal: maximize', 'goal: maximise'),
      );
      const data = join(dir.path, 'data');
      const p = labloop(['run', bad, '--data-dir', data]);
      expect((await p.exited).code).toBe(1);
      expect(p.stderr()).toMatch(
        /bad\.yaml:32:17: objectives\.rate\.goal: expected one of "maximize", "minimize", got "maximise"; did you mean "maximize"\?\n/,
      );
      expect(p.stderr()).toMatch(/bad\.yaml:39:16: budget\.experiments: expected at least 1, got -1\n/);
      expect(p.stderr()).toContain('2 problems found; nothing was started');
      expect(p.stderr()).not.toMatch(/\n\s+at /);
      expect(existsSync(data)).toBe(false);
    } finally {
      dir.cleanup();
    }
  });
});

describe('labloop validate', () => {
  it('exits 0 on the shipped files and 1 with located errors on a broken one', async () => {
    const ok = labloop(['validate', 'protocols/demo.yaml', 'config/labs/demo.yaml']);
    expect((await ok.exited).code).toBe(0);
    expect(ok.stdout()).toContain('2 files valid');

    const dir = tempDir();
    try {
      const broken = join(dir.path, 'lab.yaml');
      writeFileSync(broken, readFileSync('config/labs/demo.yaml', 'utf8').replace('max: 70', 'max: hot'));
      const bad = labloop(['validate', broken]);
      expect((await bad.exited).code).toBe(1);
      expect(bad.stdout()).toMatch(
        /lab\.yaml:\d+:\d+: instruments\.reader\.limits\.temperature\.max: expected a number, got "hot"/,
      );
    } finally {
      dir.cleanup();
    }
  });
});

describe('labloop start with a bad setting', () => {
  it('names the environment variable and exits 1 without a stack trace', async () => {
    const dir = tempDir();
    try {
      const p = labloop(['start', '--data-dir', dir.path], { LABLOOP_HTTP__PORT: 'eighty' });
      expect((await p.exited).code).toBe(1);
      expect(p.stderr()).toContain('env LABLOOP_HTTP__PORT: http.port: expected an integer, got "eighty"');
      expect(p.stderr()).not.toMatch(/\n\s+at /);
    } finally {
      dir.cleanup();
    }
  });
});
