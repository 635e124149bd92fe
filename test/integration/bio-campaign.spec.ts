/**
 * The daemon runs a campaign on the simulated bio lab, in-process on the virtual clock: hours of lab time in a few
 * real seconds through the same code paths (driver, broker, simulators, journal), and the same seed gives the same
 * campaign — parameters, results and lab timestamps.
 */
import { CampaignRunner } from '../../src/campaign/campaign-runner.service.js';
import { CampaignService } from '../../src/campaign/campaign.service.js';
import { CLOCK, type Clock } from '../../src/common/clock.js';
import { loadCampaignFile } from '../../src/protocol/document.loader.js';
import { RecordsRepository } from '../../src/store/records.repository.js';
import { startTestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const CAMPAIGN = 'test/fixtures/bio-enzyme-today.yaml';
const LAB = 'test/fixtures/sim-bio-inprocess.yaml';
const ANCHOR = '2030-01-01T00:00:00.000Z';

interface Run {
  experiments: { seq: number; status: string; reason?: string; params: unknown; rate: number | undefined }[];
  commands: { action: string; params: unknown; result: unknown }[];
  labHours: number;
  realSeconds: number;
}

async function runOnce(env: Record<string, string> = {}): Promise<Run> {
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
    const c = campaigns.create(loadCampaignFile(CAMPAIGN, LAB));
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
    const a = await runOnce();
    const b = await runOnce();
    process.stderr.write(
      `bio campaign: ${a.labHours.toFixed(2)} h of lab time in ${a.realSeconds.toFixed(1)} s and ${b.realSeconds.toFixed(1)} s\n`,
    );
    expect(a.experiments).toHaveLength(12);
    expect(a.experiments.every((e) => e.status === 'completed' && (e.rate ?? 0) > 0)).toBe(true);
    expect(a.labHours).toBeGreaterThan(1); // 12 × (12 well transfers and a 5-minute kinetic read)
    expect(b.experiments).toEqual(a.experiments);
    expect(b.commands).toEqual(a.commands);
    expect(b.labHours).toBe(a.labHours);
  });

  it('fails the experiment a faulty instrument spoils, and carries on to its budget', async () => {
    const r = await runOnce({ LABLOOP_SIMULATORS__FAULTS: 'test/fixtures/faults/reader-fails-once.yaml' });
    expect(r.experiments.map((e) => e.status)).toEqual([
      'completed',
      'failed',
      ...Array<string>(11).fill('completed'),
    ]);
    expect(r.experiments[1]?.reason).toMatch(/LAMP_FAILURE/);
  });
});
