/**
 * The crash test of issue 6: the simulated bio lab runs in its own `labloop sim` process, which outlives the daemon
 * and appends every command id it starts executing to an audit file. The daemon, a child process, runs the enzyme
 * campaign (one plate: one experiment at a time) and is killed with SIGKILL at 50 moments drawn from a printed seed
 * (`CRASH_SEED=<n>` replays them), restarted each time. At the end every experiment has exactly one terminal record,
 * the budget is met, no command id was executed twice, every command the journal calls done ran exactly once, and
 * SQLite's integrity check is ok.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { parseDocument } from 'yaml';
import { SeededRandom } from '../../src/common/seeded-random.js';
import { campaignVariant } from '../helpers/campaign-variant.js';
import { freePort } from '../helpers/free-port.js';
import { labloop, type LabloopProcess } from '../helpers/labloop-process.js';
import { startSim } from '../helpers/sim-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const KILLS = Number(process.env['CRASH_KILLS'] ?? 50);
/**
 * The lab keeps working while the daemon is down, so the campaign must outlast the kills: 14 experiments of ≈ 22 s
 * (37 min of lab time at 100×) against 50 restarts of 2–5 s each.
 */
const BUDGET = 14;
/** Lab time runs 100× wall time in both processes. */
const SCALE = '100';

interface Campaign {
  status: string;
  experiments: { completed: number };
}

async function status(url: string): Promise<Campaign | undefined> {
  const res = await fetch(`${url}/api/campaigns`).catch(() => undefined);
  if (!res?.ok) return undefined;
  return ((await res.json()) as Campaign[])[0];
}

describe('crash journal: SIGKILL at 50 random moments against a lab in another process', () => {
  it('loses and repeats nothing', async () => {
    const seed = Number(process.env['CRASH_SEED'] ?? Date.now() % 1_000_000);
    process.stdout.write(`crash test seed ${seed} (CRASH_SEED=${seed} replays it)\n`);
    const rng = new SeededRandom(seed);
    const dir = tempDir();
    const dataDir = join(dir.path, 'data');
    const sim = startSim('bio', dir.path, { timeScale: SCALE });
    const { labFile, audit } = sim;
    let daemon: LabloopProcess | undefined;
    try {
      await sim.endpoints(1);
      const anchor = await sim.clockAnchor();
      const file = campaignVariant('protocols/bio/enzyme-assay.yaml', dir.path, {
        experiments: BUDGET,
        lab: labFile,
        strategy: { name: 'random', seed: 7 },
      });
      const doc = parseDocument(readFileSync(file, 'utf8'));
      doc.set('recovery', { interrupted: 'rerun' });
      writeFileSync(file, doc.toString());

      const start = async (): Promise<{ p: LabloopProcess; url: string }> => {
        const http = await freePort();
        const p = labloop(
          [
            'start',
            '--data-dir',
            dataDir,
            '--port',
            String(http),
            '--time-scale',
            SCALE,
            '--clock-anchor',
            anchor,
          ],
          {
            LABLOOP_MQTT__EMBEDDED__PORT: String(await freePort()),
            LABLOOP_STARTUP__CAMPAIGNS: JSON.stringify([file]),
            // Lab-time timeouts shrink 100-fold in real time: give a loaded CI machine room.
            LABLOOP_INSTRUMENTS__REPLYTIMEOUT: '20 min',
            LABLOOP_INSTRUMENTS__DISPATCHWINDOW: '60 min',
          },
        );
        const url = `http://127.0.0.1:${http}`;
        await waitFor(
          'daemon up',
          async () => (await fetch(`${url}/api/health`).catch(() => undefined))?.ok,
          60_000,
          50,
        );
        return { p, url };
      };

      const moments: number[] = [];
      // The kills are spread over the campaign by its progress, not by wall time, so that on any machine every one of
      // them cuts a running campaign: kill k waits for its share of completed experiments, then a random moment.
      const hit: string[] = [];
      for (let k = 0; k < KILLS; k++) {
        const d = await start();
        daemon = d.p;
        const due = Math.floor((k * (BUDGET - 2)) / KILLS);
        await waitFor(
          `${due} completed`,
          async () => ((await status(d.url))?.experiments.completed ?? 0) >= due,
          120_000,
          50,
        );
        const ms = rng.int(0, 1000);
        moments.push(ms);
        await new Promise((r) => setTimeout(r, ms));
        hit.push((await status(d.url))?.status ?? 'unknown');
        d.p.child.kill('SIGKILL');
        expect((await d.p.exited).signal).toBe('SIGKILL');
        daemon = undefined;
      }
      process.stdout.write(
        `crash test: killed ${KILLS} times, ms after the due progress: ${moments.join(' ')}\n`,
      );
      expect(hit.filter((h) => h !== 'running')).toEqual([]);

      const last = await start();
      daemon = last.p;
      const final = await waitFor(
        'the campaign to complete',
        async () => {
          const c = await status(last.url);
          return c?.status === 'completed' || c?.status === 'held' ? c : undefined;
        },
        240_000,
        200,
      );
      last.p.child.kill('SIGTERM');
      expect((await last.p.exited).code).toBe(0);
      if (final.status !== 'completed') process.stdout.write(last.p.stdout());
      expect(final.status).toBe('completed');
      daemon = undefined;
      expect(final.experiments.completed).toBe(BUDGET);

      const executed = readFileSync(audit, 'utf8')
        .trim()
        .split('\n')
        .map((l) => l.split(' ')[2] ?? '');
      const twice = executed.filter((id, i) => executed.indexOf(id) !== i);
      expect(twice).toEqual([]);

      const db = new Database(join(dataDir, 'labloop.sqlite'), { readonly: true });
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const experiments = db.prepare('SELECT id, seq, kind, status FROM experiment ORDER BY seq').all() as {
          id: string;
          seq: number;
          kind: string;
          status: string;
        }[];
        // One row per experiment, numbered without gaps, every one in a terminal state.
        expect(experiments.map((e) => e.seq)).toEqual(experiments.map((_, i) => i + 1));
        expect(experiments.filter((e) => !['completed', 'failed', 'interrupted'].includes(e.status))).toEqual(
          [],
        );
        expect(experiments.filter((e) => e.status === 'completed' && e.kind !== 'control')).toHaveLength(
          BUDGET,
        );
        // Every command the journal calls done was executed by the lab exactly once.
        const done = (
          db.prepare("SELECT id FROM command WHERE status = 'done'").all() as { id: string }[]
        ).map((c) => c.id);
        const ran = new Set(executed);
        expect(done.filter((id) => !ran.has(id))).toEqual([]);
        const resent = (
          db.prepare('SELECT COUNT(*) AS n FROM command WHERE sends > 1').get() as { n: number }
        ).n;
        const interrupted = experiments.filter((e) => e.status === 'interrupted').length;
        process.stdout.write(
          `crash test: ${experiments.length} experiments (${interrupted} interrupted), ${executed.length} commands executed, ${resent} re-sent after a restart\n`,
        );
      } finally {
        db.close();
      }
    } finally {
      daemon?.child.kill('SIGKILL');
      sim.child.kill('SIGTERM');
      await sim.exited;
      dir.cleanup();
    }
  }, 1_200_000);
});
