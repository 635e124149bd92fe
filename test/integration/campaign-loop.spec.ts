/**
 * The closed loop in one process, for real: Nest, a SQLite file, the embedded broker, the simulated reader.
 */
import { CampaignRunner } from '../../src/campaign/campaign-runner.service.js';
import { CampaignService } from '../../src/campaign/campaign.service.js';
import { loadCampaignFile } from '../../src/protocol/document.loader.js';
import { RecordsRepository } from '../../src/store/records.repository.js';
import { startTestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const CAMPAIGN = 'test/fixtures/fast-campaign.yaml';

describe('campaign loop (run mode, real stack)', () => {
  it('designs, executes, analyzes and learns until exactly its budget is completed', async () => {
    const dir = tempDir();
    const t = await startTestApp({ mode: 'run', dataDir: dir.path });
    try {
      const campaigns = t.app.get(CampaignService);
      const records = t.app.get(RecordsRepository);
      const c = campaigns.create(loadCampaignFile(CAMPAIGN));
      await campaigns.start(c.id);
      const end = await t.app.get(CampaignRunner).whenStopped(c.id);
      expect(end?.status).toBe('completed');
      const experiments = records.experiments(c.id);
      expect(experiments.map((e) => e.status)).toEqual(Array(8).fill('completed'));
      expect(experiments.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      for (const e of experiments) {
        const commands = records.commands(e.id);
        expect(commands).toHaveLength(1);
        expect(commands[0]).toMatchObject({
          status: 'done',
          instrument: 'reader',
          action: 'measure',
          sends: 1,
        });
        // The command carried exactly the strategy's parameters.
        expect(commands[0]!.params).toEqual(e.params);
        expect(records.observation(e.id)?.values['rate']?.mean).toBeCloseTo(
          commands[0]!.result!['rate'] as number,
          9,
        );
      }
      const summary = campaigns.summary(records.campaign(c.id)!);
      expect(summary.status).toBe('completed');
      expect(summary.best?.values['rate']?.mean).toBe(
        Math.max(...records.observations(c.id).map((o) => o.values['rate']!.mean)),
      );
    } finally {
      await t.close();
      dir.cleanup();
    }
  });

  it('resumes after a stop mid-campaign: none lost, none twice, the same suggestions', async () => {
    const dir = tempDir();
    let first = await startTestApp({ mode: 'run', dataDir: dir.path });
    const c = first.app.get(CampaignService).create(loadCampaignFile(CAMPAIGN));
    await first.app.get(CampaignService).start(c.id);
    await waitFor(
      '3 completed',
      () => first.app.get(RecordsRepository).experimentCounts(c.id).completed >= 3,
    );
    await first.close(); // drains: the running step finishes, nothing new starts
    const second = await startTestApp({ mode: 'run', dataDir: dir.path });
    first = second;
    try {
      const records = second.app.get(RecordsRepository);
      expect(records.campaign(c.id)?.status).toBe('running');
      await second.app.get(CampaignRunner).launch(c.id);
      expect((await second.app.get(CampaignRunner).whenStopped(c.id))?.status).toBe('completed');
      const experiments = records.experiments(c.id);
      expect(experiments.filter((e) => e.status === 'completed')).toHaveLength(8);
      expect(new Set(experiments.map((e) => e.suggestionId)).size).toBe(experiments.length);

      // The same campaign run without interruption proposes the same parameters.
      const reference = await startTestApp({ mode: 'run', dataDir: tempDir().path });
      try {
        const rc = reference.app.get(CampaignService).create(loadCampaignFile(CAMPAIGN));
        await reference.app.get(CampaignService).start(rc.id);
        await reference.app.get(CampaignRunner).whenStopped(rc.id);
        const params = (id: string, r: RecordsRepository): unknown[] =>
          r.experiments(id).map((e) => e.params);
        expect(params(c.id, records)).toEqual(params(rc.id, reference.app.get(RecordsRepository)));
      } finally {
        await reference.close();
      }
    } finally {
      await first.close();
      dir.cleanup();
    }
  });

  it('fails an experiment whose values the lab refuses, and never sends them', async () => {
    const dir = tempDir();
    const t = await startTestApp({ mode: 'run', dataDir: dir.path });
    try {
      // A lab whose limit is narrower than the campaign's search space, passed with --lab, skipping validation
      // would be a bug: loading must refuse it before anything runs.
      expect(() => loadCampaignFile(CAMPAIGN, 'test/fixtures/narrow-lab.yaml')).toThrow(
        /above the hard limit 30/,
      );
    } finally {
      await t.close();
      dir.cleanup();
    }
  });
});
