/**
 * The daemon runs the shipped bio campaigns on the simulated bio lab, in-process on the virtual clock: hours of lab
 * time in a few real seconds through the same code paths (driver, broker, simulators, journal), and the same seed
 * gives the same campaign — parameters, results and lab timestamps.
 */
import { CampaignRunner } from '../../src/campaign/campaign-runner.service.js';
import { CampaignService } from '../../src/campaign/campaign.service.js';
import { CLOCK, type Clock } from '../../src/common/clock.js';
import { loadCampaignFile } from '../../src/protocol/document.loader.js';
import { RecordsRepository } from '../../src/store/records.repository.js';
import { campaignVariant } from '../helpers/campaign-variant.js';
import { startTestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const ENZYME = 'protocols/bio/enzyme-assay.yaml';
const GROWTH = 'protocols/bio/growth-media.yaml';
const LAB = 'test/fixtures/sim-bio-inprocess.yaml';
const ANCHOR = '2030-01-01T00:00:00.000Z';

interface Run {
  experiments: {
    seq: number;
    status: string;
    reason?: string;
    params: unknown;
    rate: number | undefined;
    expression: number | undefined;
  }[];
  commands: { action: string; params: unknown; result: unknown }[];
  labHours: number;
  realSeconds: number;
}

async function runOnce(campaign: string, budget: number, env: Record<string, string> = {}): Promise<Run> {
  const dir = tempDir();
  const real = performance.now();
  const t = await startTestApp({
    mode: 'run',
    dataDir: dir.path,
    env: { LABLOOP_CLOCK__MODE: 'virtual', LABLOOP_CLOCK__ANCHOR: ANCHOR, ...env },
  });
  try {
    const clock = t.app.get<Clock>(CLOCK);
    const campaigns = t.app.get(CampaignService);
    const records = t.app.get(RecordsRepository);
    const file = campaignVariant(campaign, dir.path, { experiments: budget, lab: LAB });
    const c = campaigns.create(loadCampaignFile(file));
    await campaigns.start(c.id);
    const end = await t.app.get(CampaignRunner).whenStopped(c.id);
    expect(end?.status).toBe('completed');
    const experiments = records.experiments(c.id);
    return {
      experiments: experiments.map((e) => ({
        seq: e.seq,
        status: e.status,
        reason: e.reason ?? undefined,
        params: e.params,
        rate: records.observation(e.id)?.values['rate']?.mean,
        expression: records.observation(e.id)?.values['expression']?.mean,
      })),
      commands: experiments.flatMap((e) =>
        records.commands(e.id).map((cmd) => ({ action: cmd.action, params: cmd.params, result: cmd.result })),
      ),
      labHours: (clock.now() - Date.parse(ANCHOR)) / 3_600_000,
      realSeconds: (performance.now() - real) / 1000,
    };
  } finally {
    await t.close();
    dir.cleanup();
  }
}

describe('a bio campaign on the virtual clock (daemon, broker and simulators in one process)', () => {
  it('runs hours of lab time, and the same seed gives the same campaign', async () => {
    const a = await runOnce(ENZYME, 6);
    const b = await runOnce(ENZYME, 6);
    process.stderr.write(
      `bio campaign: ${a.labHours.toFixed(2)} h of lab time in ${a.realSeconds.toFixed(1)} s and ${b.realSeconds.toFixed(1)} s\n`,
    );
    expect(a.experiments).toHaveLength(6);
    expect(a.experiments.every((e) => e.status === 'completed' && (e.rate ?? 0) > 0)).toBe(true);
    expect(a.labHours).toBeGreaterThan(3); // 6 × 3 replicates × (4 transfers and a 10-minute kinetic read)
    expect(b.experiments).toEqual(a.experiments);
    expect(b.commands).toEqual(a.commands);
    expect(b.labHours).toBe(a.labHours);
  });

  it('fails the experiment a faulty instrument spoils, and carries on to its budget', async () => {
    // The second kinetic read fails twice (the step's retry too): the first experiment fails, the rest complete.
    const r = await runOnce(ENZYME, 3, {
      LABLOOP_SIMULATORS__FAULTS: 'test/fixtures/faults/reader-fails-once.yaml',
    });
    expect(r.experiments.map((e) => e.status)).toEqual(['failed', 'completed', 'completed', 'completed']);
    expect(r.experiments[0]?.reason).toMatch(/LAMP_FAILURE/);
  });

  it('runs the growth-media campaign: 8-hour cultures, a mixture constraint, replicate reads', async () => {
    const r = await runOnce(GROWTH, 3);
    process.stderr.write(
      `growth campaign: ${r.labHours.toFixed(1)} h of lab time in ${r.realSeconds.toFixed(1)} s\n`,
    );
    expect(r.experiments.map((e) => e.status)).toEqual(['completed', 'completed', 'completed']);
    expect(r.labHours).toBeGreaterThan(24);
    for (const e of r.experiments) {
      const p = e.params as Record<string, number>;
      expect(p['glucose']! + p['yeast_extract']! + p['tryptone']! + p['m9_salts']!).toBeLessThanOrEqual(100);
      expect(e.expression).toBeGreaterThan(100);
    }
  });
});
