/**
 * Many experiments at once on shared instruments, on the virtual clock: three in flight, each dispensing on a liquid
 * handler that serves one command at a time (5 min), incubating 30 min off-instrument, then reading (2 min). Their
 * steps interleave — the liquid handler serves the next experiment while the others incubate — never overlap on an
 * instrument, and the strategy is asked with the pending suggestions known.
 */
import { CampaignRunner } from '../../src/campaign/campaign-runner.service.js';
import { CampaignService } from '../../src/campaign/campaign.service.js';
import { CLOCK, type Clock } from '../../src/common/clock.js';
import { EventBus } from '../../src/events/event-bus.service.js';
import { loadCampaignFile } from '../../src/protocol/document.loader.js';
import { RecordsRepository } from '../../src/store/records.repository.js';
import type { CommandRecord } from '../../src/store/store.records.js';
import { startTestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const ANCHOR = '2030-01-07T08:00:00.000Z';
const MIN = 60_000;

describe('experiments in parallel on shared instruments (virtual clock)', () => {
  it('interleaves their steps, never overlaps them on an instrument, and keeps the instruments busy', async () => {
    const dir = tempDir();
    const t = await startTestApp({
      mode: 'run',
      dataDir: dir.path,
      env: { LABLOOP_CLOCK__MODE: 'virtual', LABLOOP_CLOCK__ANCHOR: ANCHOR },
    });
    try {
      const clock = t.app.get<Clock>(CLOCK);
      const records = t.app.get(RecordsRepository);
      const asks: number[] = [];
      const off = t.app.get(EventBus).on('strategy.asked', (d) => asks.push(d.count));
      const campaigns = t.app.get(CampaignService);
      const c = campaigns.create(loadCampaignFile('test/fixtures/interleave/campaign.yaml'));
      await campaigns.start(c.id);
      const end = await t.app.get(CampaignRunner).whenStopped(c.id);
      off();
      expect(end?.status).toBe('completed');
      const experiments = records.experiments(c.id);
      expect(experiments.filter((e) => e.status === 'completed')).toHaveLength(9);
      const commands = experiments.flatMap((e) => records.commands(e.id));
      expect(commands.every((cmd) => cmd.status === 'done' && cmd.sends === 1)).toBe(true);

      // One command at a time on each instrument (capacity 1).
      for (const instrument of ['lh', 'reader']) {
        const mine = commands.filter((cmd) => cmd.instrument === instrument).sort(byStart);
        for (let i = 1; i < mine.length; i++)
          expect(mine[i]!.createdAt).toBeGreaterThanOrEqual(mine[i - 1]!.finishedAt!);
      }
      // Interleaved: the liquid handler dispensed for another experiment while one was incubating.
      const dispenses = commands.filter((cmd) => cmd.instrument === 'lh');
      const reads = commands.filter((cmd) => cmd.instrument === 'reader');
      const interleaved = reads.some((read) => {
        const own = dispenses.find((d) => d.experimentId === read.experimentId);
        return dispenses.some(
          (d) =>
            d.experimentId !== read.experimentId &&
            own &&
            d.createdAt > own.finishedAt! &&
            d.createdAt < read.createdAt,
        );
      });
      expect(interleaved).toBe(true);
      // Lab time: one after the other would take 9 × 37 min; three in flight keep it near the liquid handler's share.
      const labMinutes = (clock.now() - Date.parse(ANCHOR)) / MIN;
      process.stdout.write(
        `parallel: 9 experiments in ${labMinutes.toFixed(0)} min of lab time (sequential: 333)\n`,
      );
      expect(labMinutes).toBeLessThan(9 * 37 * 0.6);
      // The strategy was asked for several at once (with the others pending) and for the free slot afterwards.
      expect(asks[0]).toBe(3);
      expect(new Set(experiments.map((e) => e.suggestionId)).size).toBe(9);
    } finally {
      await t.close();
      dir.cleanup();
    }
  }, 120_000);
});

function byStart(a: CommandRecord, b: CommandRecord): number {
  return a.createdAt - b.createdAt;
}
