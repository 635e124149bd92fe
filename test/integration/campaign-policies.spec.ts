/**
 * The loop's policies on the real store (a SQLite file through the daemon's journal) with a scripted executor and a
 * clock moved by hand: recovery of interrupted experiments, control runs, the schedule, stop rules and failed
 * analysis. The executor is the only fake — what the loop decides is read back from the journal.
 */
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sleep } from '../../src/common/clock.js';
import { CampaignLoop, type LoopEnd } from '../../src/campaign/campaign-loop.js';
import { CampaignService } from '../../src/campaign/campaign.service.js';
import type {
  ExecutionOutcome,
  ExperimentExecutor,
} from '../../src/execution/experiment-executor.service.js';
import type { Observation, Strategy, Suggestion } from '../../src/optimizers/strategy.port.js';
import { loadCampaignFile, type CampaignDocument } from '../../src/protocol/document.loader.js';
import { Journal } from '../../src/store/journal.service.js';
import { RecordsRepository } from '../../src/store/records.repository.js';
import type { ExperimentRecord } from '../../src/store/store.records.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';

/** Monday 5 January 2026, 09:00 UTC. */
const MONDAY_9H = Date.UTC(2026, 0, 5, 9, 0, 0);
const MINUTE = 60_000;

type Script = (e: ExperimentRecord, run: number) => ExecutionOutcome;

/** Runs each experiment for `minutes` of lab time, then answers what the script says. */
function scriptedExecutor(clock: ManualClock, script: Script, minutes = 10): ExperimentExecutor {
  const runs = new Map<string, number>();
  return {
    async execute(e: ExperimentRecord): Promise<ExecutionOutcome> {
      const n = (runs.get(e.id) ?? 0) + 1;
      runs.set(e.id, n);
      await sleep(clock, minutes * MINUTE);
      return script(e, n);
    },
  } as unknown as ExperimentExecutor;
}

function executed(rate: number): ExecutionOutcome {
  return { status: 'executed', outputs: { rate }, units: {} };
}

/** A strategy that proposes temperatures 30, 31, 32, … and remembers what it was told. */
class CountingStrategy implements Strategy {
  readonly told: Observation[] = [];
  private k = 0;
  ask(count: number, _pending: readonly Suggestion[]): Promise<Suggestion[]> {
    return Promise.resolve(
      Array.from({ length: count }, () => {
        this.k++;
        return { id: `s${this.k}`, params: { temperature: 29 + this.k, ph: 7, substrate: 5 } };
      }),
    );
  }
  tell(observations: readonly Observation[]): Promise<void> {
    this.told.push(...observations);
    return Promise.resolve();
  }
}

interface Rig {
  app: TestApp;
  clock: ManualClock;
  strategy: CountingStrategy;
  records: RecordsRepository;
  campaignId: string;
  run(script: Script, minutes?: number): Promise<LoopEnd>;
  loop?: CampaignLoop;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** The fast test campaign with `extra` YAML replacing its budget block. */
async function rig(extra: string): Promise<Rig> {
  const dir = tempDir();
  copyFileSync('test/fixtures/fast-lab.yaml', join(dir.path, 'fast-lab.yaml'));
  const text = readFileSync('test/fixtures/fast-campaign.yaml', 'utf8').replace(/budget:[\s\S]*$/, extra);
  writeFileSync(join(dir.path, 'campaign.yaml'), text);
  const doc: CampaignDocument = loadCampaignFile(join(dir.path, 'campaign.yaml'));
  const clock = new ManualClock(MONDAY_9H);
  const app = await startTestApp({ mode: 'run', dataDir: join(dir.path, 'data'), clock });
  cleanups.push(async () => {
    await app.close();
    dir.cleanup();
  });
  const journal = app.app.get(Journal);
  const records = app.app.get(RecordsRepository);
  const c = app.app.get(CampaignService).create(doc);
  journal.write((tx) => tx.setCampaignStatus(c.id, 'running'));
  const strategy = new CountingStrategy();
  const r: Rig = {
    app,
    clock,
    strategy,
    records,
    campaignId: c.id,
    run: (script, minutes) => {
      const campaign = records.campaign(c.id);
      if (!campaign) throw new Error('campaign vanished');
      const executor = scriptedExecutor(clock, script, minutes);
      r.loop = new CampaignLoop({ journal, records, executor, clock }, campaign, doc, strategy);
      return clock.settle(r.loop.run());
    },
  };
  return r;
}

const statuses = (r: Rig): string[] =>
  r.records.experiments(r.campaignId).map((e) => `${e.kind}:${e.status}`);

describe('campaign loop policies (real journal, scripted executor, manual clock)', () => {
  it('recovery rerun: an interrupted experiment runs again with the same parameters and still counts once', async () => {
    const r = await rig('budget: { experiments: 3 }\nrecovery: { interrupted: rerun }\n');
    const end = await r.run((e) =>
      e.seq === 2 && e.kind === 'design'
        ? { status: 'interrupted', reason: 'outcome unknown after a crash' }
        : executed(e.seq),
    );
    expect(end.status).toBe('completed');
    const all = r.records.experiments(r.campaignId);
    // The rerun takes the first free slot, before any new proposal.
    expect(statuses(r)).toEqual([
      'design:completed',
      'design:interrupted',
      'rerun:completed',
      'design:completed',
    ]);
    const [, interrupted, rerun] = all;
    expect(rerun?.params).toEqual(interrupted?.params);
    expect(rerun?.suggestionId).toBe(interrupted?.suggestionId);
    expect(r.records.experimentCounts(r.campaignId).completed).toBe(3);
    // The strategy heard of the interruption (no values), then of the rerun's result under the same suggestion.
    const aboutS2 = r.strategy.told.filter((o) => o.suggestionId === interrupted?.suggestionId);
    expect(aboutS2.map((o) => (o.values ? 'values' : o.failed ? 'failed' : 'nothing'))).toEqual([
      'nothing',
      'values',
    ]);
  });

  it('recovery discard: the interrupted experiment is dropped and the budget is filled by new proposals', async () => {
    const r = await rig('budget: { experiments: 3 }\nrecovery: { interrupted: discard }\n');
    const end = await r.run((e) =>
      e.seq === 1 ? { status: 'interrupted', reason: 'unknown' } : executed(e.seq),
    );
    expect(end.status).toBe('completed');
    expect(statuses(r)).toEqual([
      'design:interrupted',
      'design:completed',
      'design:completed',
      'design:completed',
    ]);
  });

  it('recovery hold: the campaign is held in the same transaction and nothing new starts', async () => {
    const r = await rig('budget: { experiments: 5 }\nrecovery: { interrupted: hold }\n');
    const end = await r.run((e) =>
      e.seq === 2 ? { status: 'interrupted', reason: 'unknown' } : executed(e.seq),
    );
    expect(end.status).toBe('held');
    expect(r.records.campaign(r.campaignId)?.status).toBe('held');
    expect(r.records.campaign(r.campaignId)?.reason).toMatch(/#2 was interrupted.*recovery is hold/);
    expect(statuses(r)).toEqual(['design:completed', 'design:interrupted']);
  });

  it('controls: the incumbent is re-run every 2 completed experiments, outside the budget and unknown to the strategy', async () => {
    const r = await rig('budget: { experiments: 6 }\ncontrols: [{ run: incumbent, every: 2 }]\n');
    // The rate grows with the temperature the strategy proposes; a control run reads 1 % lower (drift).
    const end = await r.run((e) => {
      const t = Number(e.params['temperature']);
      return executed(e.kind === 'control' ? t * 0.99 : t);
    });
    expect(end.status).toBe('completed');
    const all = r.records.experiments(r.campaignId);
    const controls = all.filter((e) => e.kind === 'control');
    expect(all.filter((e) => e.kind === 'design' && e.status === 'completed')).toHaveLength(6);
    expect(controls.length).toBeGreaterThanOrEqual(2);
    for (const c of controls) {
      expect(c.status).toBe('completed');
      // The incumbent at the time: the best design completed before the control was designed.
      const before = all.filter((e) => e.kind === 'design' && e.seq < c.seq && e.status === 'completed');
      const best = Math.max(...before.map((e) => Number(e.params['temperature'])));
      expect(c.params['temperature']).toBe(best);
    }
    expect(r.strategy.told.every((o) => !o.suggestionId.startsWith('control:'))).toBe(true);
    expect(r.records.experimentCounts(r.campaignId).completed).toBe(6);
    expect(r.records.controlCount(r.campaignId)).toBe(controls.length);
  });

  it('schedule: outside the run windows nothing starts; at the window it does, on lab time', async () => {
    // Monday 09:00 UTC; the window opens at 13:00 and closes at 13:15. Only starts are gated: the second experiment
    // starts at 13:10 and runs past the window; the third waits for the next day's window.
    const r = await rig(
      'budget: { experiments: 3 }\nschedule: { timezone: UTC, windows: [{ from: "13:00", to: "13:15" }] }\n',
    );
    const end = await r.run((e) => executed(e.seq));
    expect(end.status).toBe('completed');
    const starts = r.records.experiments(r.campaignId).map((e) => new Date(e.createdAt).toISOString());
    expect(starts).toEqual([
      '2026-01-05T13:00:00.000Z',
      '2026-01-05T13:10:00.000Z',
      '2026-01-06T13:00:00.000Z',
    ]);
  });

  it('stop rules: patience ends the campaign when the incumbent stops improving', async () => {
    const r = await rig('budget: { experiments: 50, patience: 3 }\n');
    // Only the second experiment is good: three more without improvement end it.
    const end = await r.run((e) => executed(e.seq === 2 ? 100 : 1));
    expect(end).toMatchObject({ status: 'completed', reason: expect.stringMatching(/no improvement/) });
    expect(r.records.experiments(r.campaignId)).toHaveLength(5);
  });

  it('stop rules: wall time ends the campaign on lab time', async () => {
    const r = await rig('budget: { experiments: 50, wallTime: 35 min }\n');
    const end = await r.run((e) => executed(e.seq));
    expect(end).toMatchObject({ status: 'completed', reason: expect.stringMatching(/wall time/) });
    expect(r.records.experimentCounts(r.campaignId).completed).toBe(4);
  });

  it('maxFailed holds the campaign; after a person resumes it, failures count afresh and it completes', async () => {
    const r = await rig('budget: { experiments: 3, maxFailed: 2 }\n');
    // The first two experiments fail (a lab problem), then the lab is fixed.
    let fixed = false;
    const script: Script = (e) =>
      fixed ? executed(e.seq) : { status: 'failed', reason: 'clot detected in channel 2' };
    const first = await r.run(script);
    expect(first).toMatchObject({ status: 'held', reason: expect.stringMatching(/2 experiments failed/) });
    fixed = true;
    r.app.app.get(Journal).write((tx) => tx.setCampaignStatus(r.campaignId, 'running', 'channel 2 cleaned'));
    const second = await r.run(script);
    expect(second.status).toBe('completed');
    expect(statuses(r)).toEqual([
      'design:failed',
      'design:failed',
      'design:completed',
      'design:completed',
      'design:completed',
    ]);
  });

  it('failed analysis fails the experiment with its reason, and the strategy is told', async () => {
    const r = await rig('budget: { experiments: 2, maxFailed: 5 }\n');
    const end = await r.run((e) =>
      e.seq === 1 ? { status: 'executed', outputs: { rate: Number.NaN }, units: {} } : executed(e.seq),
    );
    expect(end.status).toBe('completed');
    const [first] = r.records.experiments(r.campaignId);
    expect(first?.status).toBe('failed');
    expect(first?.reason).toMatch(/^analysis: /);
    expect(r.strategy.told.find((o) => o.suggestionId === first?.suggestionId)?.failed?.reason).toMatch(
      /^analysis: /,
    );
  });
});
