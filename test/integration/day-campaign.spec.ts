/**
 * A 24-hour campaign on the virtual clock: the shipped enzyme campaign on the in-process bio lab (real broker, real
 * MQTT driver, real journal), with a day of scripted faults — a clot, the reader dropping off the network, a late
 * reply, a drifting reading, garbage telemetry and replies, a stuck reader, a swallowed command — a nightly
 * maintenance block and a control run of the incumbent every 10 experiments. It completes its budget.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { CampaignRunner } from '../../src/campaign/campaign-runner.service.js';
import { CampaignService } from '../../src/campaign/campaign.service.js';
import { CLOCK, type Clock } from '../../src/common/clock.js';
import { loadCampaignFile } from '../../src/protocol/document.loader.js';
import { RecordsRepository } from '../../src/store/records.repository.js';
import { campaignVariant } from '../helpers/campaign-variant.js';
import { startTestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const ANCHOR = '2030-01-07T08:00:00.000Z';
const BUDGET = 40;

describe('a day on the virtual clock', () => {
  it('runs 24 hours of lab time through faults, maintenance and controls, and completes its budget', async () => {
    const dir = tempDir();
    const real = performance.now();
    const t = await startTestApp({
      mode: 'run',
      dataDir: dir.path,
      env: {
        LABLOOP_CLOCK__MODE: 'virtual',
        LABLOOP_CLOCK__ANCHOR: ANCHOR,
        LABLOOP_SIMULATORS__FAULTS: 'test/fixtures/faults/day-of-faults.yaml',
      },
    });
    try {
      const clock = t.app.get<Clock>(CLOCK);
      const file = campaignVariant('protocols/bio/enzyme-assay.yaml', dir.path, {
        experiments: BUDGET,
        lab: 'test/fixtures/sim-bio-inprocess.yaml',
      });
      const doc = parseDocument(readFileSync(file, 'utf8'));
      doc.setIn(['budget', 'maxFailed'], 12);
      doc.set('schedule', {
        timezone: 'UTC',
        maintenance: [{ from: '03:00', to: '04:00', reason: 'nightly clean' }],
      });
      doc.set('controls', [{ run: 'incumbent', every: 10 }]);
      writeFileSync(file, doc.toString());

      const campaigns = t.app.get(CampaignService);
      const records = t.app.get(RecordsRepository);
      const c = campaigns.create(loadCampaignFile(file));
      await campaigns.start(c.id);
      const end = await t.app.get(CampaignRunner).whenStopped(c.id);
      const experiments = records.experiments(c.id);
      const labHours = (clock.now() - Date.parse(ANCHOR)) / 3_600_000;
      const failed = experiments.filter((e) => e.status === 'failed');
      process.stdout.write(
        `day campaign: ${labHours.toFixed(1)} h of lab time in ${((performance.now() - real) / 1000).toFixed(1)} s; ` +
          `${experiments.length} experiments, ${failed.length} failed: ${failed.map((e) => `#${e.seq} ${e.reason ?? ''}`).join(' | ')}\n`,
      );
      expect(end).toMatchObject({ status: 'completed' });
      expect(labHours).toBeGreaterThanOrEqual(24);
      expect(records.experimentCounts(c.id).completed).toBe(BUDGET);
      // Every experiment ended, one way or the other.
      expect(experiments.filter((e) => !['completed', 'failed', 'interrupted'].includes(e.status))).toEqual(
        [],
      );
      // The faults bit: some experiments failed, with the instruments' reasons.
      expect(failed.length).toBeGreaterThan(0);
      // The incumbent was re-run as a control, outside the budget.
      expect(experiments.filter((e) => e.kind === 'control').length).toBeGreaterThanOrEqual(3);
      // Nothing started during the nightly maintenance block.
      const inMaintenance = experiments.filter((e) => new Date(e.createdAt).getUTCHours() === 3);
      expect(inMaintenance.map((e) => new Date(e.createdAt).toISOString())).toEqual([]);
    } finally {
      await t.close();
      dir.cleanup();
    }
  }, 600_000);
});
