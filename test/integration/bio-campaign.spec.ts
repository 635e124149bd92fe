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
  status: string | undefined;
  reason: string | undefined;
  commands: { action: string; params: unknown; result: unknown; status: string; error: unknown }[];
  labHours: number;
  realSeconds: number;
  /** Most experiments in flight at one lab instant. */
  inFlight: number;
}

async function runOnce(
  campaign: string,
  budget: number,
  env: Record<string, string> = {},
  o: { maxFailed?: number; ends?: string; parallel?: number; edit?: (text: string) => string } = {},
): Promise<Run> {
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
    const file = campaignVariant(campaign, dir.path, {
      experiments: budget,
      lab: LAB,
      maxFailed: o.maxFailed,
      parallel: o.parallel,
      edit: o.edit,
    });
    const c = campaigns.create(loadCampaignFile(file));
    await campaigns.start(c.id);
    const end = await t.app.get(CampaignRunner).whenStopped(c.id);
    expect(end?.status).toBe(o.ends ?? 'completed');
    const experiments = records.experiments(c.id);
    return {
      status: end?.status,
      reason: records.campaign(c.id)?.reason ?? undefined,
      experiments: experiments.map((e) => ({
        seq: e.seq,
        status: e.status,
        reason: e.reason ?? undefined,
        params: e.params,
        rate: records.observation(e.id)?.values['rate']?.mean,
        expression: records.observation(e.id)?.values['expression']?.mean,
      })),
      commands: experiments.flatMap((e) =>
        records.commands(e.id).map((cmd) => ({
          action: cmd.action,
          params: cmd.params,
          result: cmd.result,
          status: cmd.status,
          error: cmd.error,
        })),
      ),
      labHours: (clock.now() - Date.parse(ANCHOR)) / 3_600_000,
      inFlight: Math.max(
        ...experiments.map(
          (e) =>
            experiments.filter(
              (o) =>
                (o.startedAt ?? 0) <= (e.startedAt ?? 0) && (e.startedAt ?? 0) < (o.finishedAt ?? Infinity),
            ).length,
        ),
      ),
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

  it('runs three experiments at once on a plate each, and the same seed gives the same set of results', async () => {
    // The shipped protocol gives every experiment a plate of its own (assay-${experiment.seq}).
    const a = await runOnce(ENZYME, 6, {}, { parallel: 3 });
    const b = await runOnce(ENZYME, 6, {}, { parallel: 3 });
    process.stderr.write(
      `bio campaign, 3 in parallel: ${a.labHours.toFixed(2)} h of lab time in ${a.realSeconds.toFixed(1)} s and ${b.realSeconds.toFixed(1)} s\n`,
    );
    // Every experiment completed with a rate. Not every rate is positive, unlike one experiment at a time: the
    // reaction runs from the moment the enzyme goes in, and a plate filled while the reader serves another plate is
    // read late in its course, where the slope can be flat. Real physics: the results depend on the interleaving,
    // not only on the parameters.
    expect(a.experiments).toHaveLength(6);
    expect(a.experiments.every((e) => e.status === 'completed' && typeof e.rate === 'number')).toBe(true);
    // Three at once, each on its own plate.
    expect(a.inFlight).toBe(3);
    const plates = new Set(a.commands.map((c) => (c.params as { plate?: string }).plate).filter(Boolean));
    expect(plates.size).toBe(6);
    // The same set of (parameters → results), not necessarily in the same order: experiments in flight finish in
    // the order the lab's timing gives, and so get their sequence numbers. The virtual clock makes that timing the
    // same from run to run (here the order came out the same too). On a scaled or real clock it is not, and then
    // neither is the set: the waits above change the rates, and the strategy's later proposals depend on which
    // results it had when asked.
    const outcomes = (r: Run): string[] =>
      r.experiments.map((e) => JSON.stringify([e.params, e.status, e.rate])).sort();
    expect(outcomes(b)).toEqual(outcomes(a));
  });

  it('fails the experiment a faulty instrument spoils, and carries on to its budget', async () => {
    // The second kinetic read fails twice (the step's retry too): the first experiment fails, the rest complete.
    const r = await runOnce(ENZYME, 3, {
      LABLOOP_SIMULATORS__FAULTS: 'test/fixtures/faults/reader-fails-once.yaml',
    });
    expect(r.experiments.map((e) => e.status)).toEqual(['failed', 'completed', 'completed', 'completed']);
    expect(r.experiments[0]?.reason).toMatch(/LAMP_FAILURE/);
  });

  it('retries a step a faulty instrument fails once, as its policy says, and keeps the failed attempt', async () => {
    // The second kinetic read fails once; the step's retry (after a lab minute) succeeds.
    const r = await runOnce(ENZYME, 2, {
      LABLOOP_SIMULATORS__FAULTS: 'test/fixtures/faults/reader-fails-one-read.yaml',
    });
    expect(r.experiments.map((e) => e.status)).toEqual(['completed', 'completed']);
    const reads = r.commands.filter((c) => c.action === 'read_kinetic');
    expect(reads.map((c) => c.status)).toEqual(['done', 'failed', 'done', 'done', 'done', 'done', 'done']);
    expect(reads[1]?.error).toMatchObject({ code: 'LAMP_FAILURE' });
    expect(reads[2]?.params).toEqual(reads[1]?.params); // the same read again
  });

  it('holds the campaign when a jammed liquid handler fails experiments past budget.maxFailed', async () => {
    // From the third transfer on, every command of the liquid handler fails (JAMMED) until someone clears the jam.
    const r = await runOnce(
      ENZYME,
      4,
      { LABLOOP_SIMULATORS__FAULTS: 'test/fixtures/faults/lh-jams.yaml' },
      { maxFailed: 2, ends: 'held' },
    );
    expect(r.reason).toMatch(/^2 experiments failed/);
    expect(r.experiments.map((e) => e.status)).toEqual(['failed', 'failed']);
    for (const e of r.experiments) expect(e.reason).toMatch(/JAMMED/);
    // Nothing lost: every command sent is in the journal with its outcome, none left open.
    expect(r.commands.filter((c) => c.status === 'failed').length).toBeGreaterThanOrEqual(2);
    expect(r.commands.every((c) => ['done', 'failed', 'rejected'].includes(c.status))).toBe(true);
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
