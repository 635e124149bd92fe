/**
 * Strategies inside a real campaign loop: bayes drives the fast enzyme campaign to completion; a plug-in that fails
 * holds the campaign with STRATEGY_FAILED and the daemon carries on; a plug-in that cannot be loaded holds it too.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CampaignRunner } from '../../src/campaign/campaign-runner.service.js';
import { CampaignService } from '../../src/campaign/campaign.service.js';
import { isLabError } from '../../src/common/lab-error.js';
import { loadCampaignFile } from '../../src/protocol/document.loader.js';
import { RecordsRepository } from '../../src/store/records.repository.js';
import { startTestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const BASE = readFileSync('test/fixtures/fast-campaign.yaml', 'utf8').replace(
  'lab: fast-lab.yaml',
  `lab: ${resolve('test/fixtures/fast-lab.yaml')}`,
);

function campaignWith(dir: string, name: string, strategy: string): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    BASE.replace('name: fast-enzyme', `name: ${name}`).replace(
      /strategy:\n {2}name: random\n {2}seed: 42\n/,
      strategy,
    ),
  );
  return file;
}

describe('strategies in a campaign', () => {
  const dir = tempDir();
  afterAll(() => dir.cleanup());

  it('runs bayes to the end of the budget, every experiment distinct and inside the space', async () => {
    const t = await startTestApp({ mode: 'run', dataDir: join(dir.path, 'bayes') });
    try {
      const file = campaignWith(
        dir.path,
        'bayes-enzyme',
        'strategy:\n  name: bayes\n  seed: 3\n  options: { initial: 4, rawSamples: 128, restarts: 2 }\n',
      );
      const campaigns = t.app.get(CampaignService);
      const c = campaigns.create(loadCampaignFile(file));
      await campaigns.start(c.id);
      expect((await t.app.get(CampaignRunner).whenStopped(c.id))?.status).toBe('completed');
      const experiments = t.app.get(RecordsRepository).experiments(c.id);
      expect(experiments.filter((e) => e.status === 'completed')).toHaveLength(8);
      expect(new Set(experiments.map((e) => JSON.stringify(e.params))).size).toBe(experiments.length);
      for (const e of experiments) {
        const p = e.params as { temperature: number; ph: number; substrate: number };
        expect(p.temperature).toBeGreaterThanOrEqual(25);
        expect(p.temperature).toBeLessThanOrEqual(65);
        expect(p.substrate).toBeGreaterThanOrEqual(0.5);
      }
    } finally {
      await t.close();
    }
  });

  it('holds the campaign when a plug-in fails in ask(), and keeps the daemon running', async () => {
    writeFileSync(
      join(dir.path, 'flaky.mjs'),
      `export default () => { let k = 0; return {
        async ask(n) { if (k >= 2) throw new Error('licence server unreachable');
          return Array.from({ length: n }, () => ({ id: 'f' + ++k, params: { temperature: 40, ph: 7, substrate: 5 } })); },
        async tell() {} }; }`,
    );
    const t = await startTestApp({ mode: 'run', dataDir: join(dir.path, 'flaky') });
    try {
      const file = campaignWith(dir.path, 'flaky-enzyme', 'strategy:\n  module: ./flaky.mjs\n');
      const campaigns = t.app.get(CampaignService);
      const c = campaigns.create(loadCampaignFile(file));
      await campaigns.start(c.id);
      const end = await t.app.get(CampaignRunner).whenStopped(c.id);
      expect(end?.status).toBe('held');
      expect(end?.reason).toMatch(
        /strategy module \.\/flaky\.mjs failed in ask\(\): licence server unreachable/,
      );
      const records = t.app.get(RecordsRepository);
      expect(records.experimentCounts(c.id).completed).toBe(2);
      // The daemon is still there: another campaign runs.
      const other = campaigns.create(
        loadCampaignFile(campaignWith(dir.path, 'after', 'strategy: { name: sobol }\n')),
      );
      await campaigns.start(other.id);
      expect((await t.app.get(CampaignRunner).whenStopped(other.id))?.status).toBe('completed');
    } finally {
      await t.close();
    }
  });

  it('refuses to start a campaign whose strategy cannot be built, and holds it with the reason', async () => {
    const t = await startTestApp({ mode: 'run', dataDir: join(dir.path, 'missing') });
    try {
      const file = campaignWith(dir.path, 'missing-enzyme', 'strategy:\n  module: ./not-there.js\n');
      const campaigns = t.app.get(CampaignService);
      const c = campaigns.create(loadCampaignFile(file));
      let error: unknown;
      await campaigns.start(c.id).catch((e: unknown) => (error = e));
      expect(isLabError(error) && error.code).toBe('STRATEGY_FAILED');
      const record = t.app.get(RecordsRepository).campaign(c.id);
      expect(record?.status).toBe('held');
    } finally {
      await t.close();
    }
  });
});
