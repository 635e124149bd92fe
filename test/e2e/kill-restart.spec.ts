/**
 * A restart resumes: the daemon runs the demo campaign, is killed with SIGKILL at moments drawn from a printed seed,
 * restarted each time; at the end the campaign has exactly its budget of completed experiments, none lost or
 * repeated. Then SIGTERM: a graceful drain, exit 0, and the next start resumes.
 */
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SeededRandom } from '../../src/common/seeded-random.js';
import { freePort } from '../helpers/free-port.js';
import { labloop, type LabloopProcess } from '../helpers/labloop-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

interface CampaignJson {
  id: string;
  status: string;
  experiments: { completed: number };
}

async function daemon(dataDir: string): Promise<{ p: LabloopProcess; url: string }> {
  const [http, mqtt] = [await freePort(), await freePort()];
  // Lab time at 4x: the demo reader's 1 s measurement takes 250 ms.
  const p = labloop(['start', '--data-dir', dataDir, '--port', String(http)], {
    LABLOOP_MQTT__EMBEDDED__PORT: String(mqtt),
    LABLOOP_CLOCK__TIMESCALE: '4',
  });
  const url = `http://127.0.0.1:${http}`;
  await waitFor(
    'daemon up',
    async () => (await fetch(`${url}/api/health`).catch(() => undefined))?.ok,
    20_000,
    100,
  );
  return { p, url };
}

async function campaign(url: string): Promise<CampaignJson | undefined> {
  const res = await fetch(`${url}/api/campaigns`).catch(() => undefined);
  if (!res?.ok) return undefined;
  return ((await res.json()) as CampaignJson[])[0];
}

function audit(dataDir: string): {
  seqs: number[];
  statuses: string[];
  doneCommandsPerExperiment: number[];
  resent: number;
  integrity: unknown;
} {
  const db = new Database(join(dataDir, 'labloop.sqlite'), { readonly: true });
  try {
    const experiments = db.prepare('SELECT id, seq, status FROM experiment ORDER BY seq').all() as {
      id: string;
      seq: number;
      status: string;
    }[];
    const done = db.prepare("SELECT COUNT(*) AS n FROM command WHERE experiment_id = ? AND status = 'done'");
    return {
      seqs: experiments.map((e) => e.seq),
      statuses: experiments.map((e) => e.status),
      doneCommandsPerExperiment: experiments
        .filter((e) => e.status === 'completed')
        .map((e) => (done.get(e.id) as { n: number }).n),
      resent: (db.prepare('SELECT COUNT(*) AS n FROM command WHERE sends > 1').get() as { n: number }).n,
      integrity: db.pragma('integrity_check', { simple: true }),
    };
  } finally {
    db.close();
  }
}

describe('kill -9 and restart', () => {
  it('resumes after SIGKILL at random moments: exactly the budget completed, none lost, none twice', async () => {
    const seed = Date.now() % 100_000;
    process.stdout.write(`kill-restart seed ${seed}\n`);
    const rng = new SeededRandom(seed);
    const dir = tempDir();
    try {
      for (const atLeast of [3, 9, 15]) {
        const { p, url } = await daemon(dir.path);
        await waitFor(
          `${atLeast} completed`,
          async () => ((await campaign(url))?.experiments.completed ?? 0) >= atLeast,
          30_000,
          20,
        );
        await new Promise((r) => setTimeout(r, rng.int(0, 300)));
        p.child.kill('SIGKILL');
        expect((await p.exited).signal).toBe('SIGKILL');
      }
      const { p, url } = await daemon(dir.path);
      const final = await waitFor(
        'completed',
        async () => {
          const c = await campaign(url);
          return c?.status === 'completed' ? c : undefined;
        },
        60_000,
        100,
      );
      p.child.kill('SIGTERM');
      await p.exited;
      expect(final.experiments.completed).toBe(24);
      const a = audit(dir.path);
      process.stdout.write(
        `kill-restart: ${a.seqs.length} experiments, ${a.resent} commands re-sent after a restart\n`,
      );
      expect(a.integrity).toBe('ok');
      expect(a.seqs).toEqual(Array.from({ length: a.seqs.length }, (_, i) => i + 1));
      expect(a.statuses.filter((s) => s === 'completed')).toHaveLength(24);
      // Every completed experiment has exactly one successful command for its one step.
      expect(new Set(a.doneCommandsPerExperiment)).toEqual(new Set([1]));
      // Anything not completed was interrupted by a kill and recorded as such: nothing is left hanging.
      expect(a.statuses.filter((s) => s !== 'completed' && s !== 'interrupted' && s !== 'failed')).toEqual(
        [],
      );
    } finally {
      dir.cleanup();
    }
  });

  it('drains on SIGTERM, exits 0, and the next start resumes', async () => {
    const dir = tempDir();
    try {
      const first = await daemon(dir.path);
      await waitFor(
        '2 completed',
        async () => ((await campaign(first.url))?.experiments.completed ?? 0) >= 2,
        30_000,
        20,
      );
      first.p.child.kill('SIGTERM');
      expect(await first.p.exited).toEqual({ code: 0, signal: null });
      expect(first.p.stdout()).toContain('SIGTERM: draining');
      const before = audit(dir.path);
      expect(before.statuses).not.toContain('designed');

      const second = await daemon(dir.path);
      expect(second.p.stdout()).toMatch(/resuming campaign demo-enzyme/);
      await waitFor(
        'completed',
        async () => (await campaign(second.url))?.status === 'completed',
        60_000,
        100,
      );
      second.p.child.kill('SIGTERM');
      await second.p.exited;
      const after = audit(dir.path);
      expect(after.statuses.filter((s) => s === 'completed')).toHaveLength(24);
      expect(after.seqs).toHaveLength(24);
    } finally {
      dir.cleanup();
    }
  });
});
