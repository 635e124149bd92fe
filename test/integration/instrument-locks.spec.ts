/**
 * Locks on the real stack: experiments queue for an instrument in the order they asked, an instrument serves as many
 * commands at once as its `capacity`, and a dead instrument stalls only the experiments that need it.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CampaignService } from '../../src/campaign/campaign.service.js';
import { EventBus } from '../../src/events/event-bus.service.js';
import {
  ExperimentExecutor,
  type ExecutionOutcome,
} from '../../src/execution/experiment-executor.service.js';
import { InstrumentRegistry } from '../../src/lab/instrument-registry.service.js';
import { compileProtocol } from '../../src/protocol/protocol.compiler.js';
import type { ProtocolSpec } from '../../src/protocol/protocol.schema.js';
import { loadCampaignFile, loadLabFile } from '../../src/protocol/document.loader.js';
import { Journal } from '../../src/store/journal.service.js';
import { RecordsRepository } from '../../src/store/records.repository.js';
import type { ExperimentRecord } from '../../src/store/store.records.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const reader = (capacity: number, simulated = true): string => `
    driver: mqtt
    capacity: ${capacity}
    actions:
      measure:
        params: { temperature: { type: number, unit: degC }, ph: { type: number }, substrate: { type: number, unit: mM } }
        result: { rate: { type: number, unit: uM/min }, slope: { type: number, unit: OD/min } }
    limits: { temperature: { min: 20, max: 70 }, ph: { min: 4, max: 10 }, substrate: { min: 0, max: 50 } }
${simulated ? '    simulator: { model: enzyme-reader, seed: 3, options: { measureTime: 100 ms } }' : ''}`;

const LAB = `kind: lab
version: 1
name: locks
instruments:
  reader:${reader(1)}
  pair:${reader(2)}
  ghost:${reader(1, false)}
`;

/** The lab file the test writes (set in beforeAll). */
let labPath = '';

describe('instrument locks (real stack)', () => {
  const dir = tempDir();
  let t: TestApp;
  let seq = 0;
  let campaignId: string;

  beforeAll(async () => {
    labPath = join(dir.path, 'locks-lab.yaml');
    writeFileSync(labPath, LAB);
    t = await startTestApp({
      mode: 'run',
      dataDir: join(dir.path, 'data'),
      env: { LABLOOP_INSTRUMENTS__LABS: labPath },
    });
    campaignId = t.app
      .get(CampaignService)
      .create(loadCampaignFile('test/fixtures/fast-campaign.yaml', labPath)).id;
    const registry = t.app.get(InstrumentRegistry);
    await waitFor(
      'simulators online',
      () => registry.get('reader')?.driver.status().online && registry.get('pair')?.driver.status().online,
    );
  });
  afterAll(async () => {
    await t.close();
    dir.cleanup();
  });

  function run(
    instrument: string,
    timeout = '10 s',
  ): { e: ExperimentRecord; done: Promise<ExecutionOutcome> } {
    const e = t.app.get(Journal).write((tx) => tx.createExperiment(campaignId, ++seq, randomUUID(), {}));
    const protocol: ProtocolSpec = {
      inputs: {},
      steps: [
        {
          id: 'read',
          instrument,
          action: 'measure',
          params: { temperature: 37, ph: 7, substrate: 5 },
          timeout,
        },
      ],
      outputs: { rate: '${steps.read.result.rate}' },
    };
    const control = { drain: new AbortController().signal, abort: new AbortController().signal };
    return {
      e,
      done: t.app
        .get(ExperimentExecutor)
        .execute(e, compileProtocol(protocol, loadLabFile(labPath).spec), {}, control),
    };
  }

  it('serves waiting experiments in the order they asked, one at a time', async () => {
    const sent: string[] = [];
    const off = t.app
      .get(EventBus)
      .on('command.sent', (d) => d.instrument === 'reader' && sent.push(d.commandId));
    const lock = t.app.get(InstrumentRegistry).get('reader')!.lock;
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, lock.inUse)), 5);
    const runs = [run('reader'), run('reader'), run('reader'), run('reader')];
    const outcomes = await Promise.all(runs.map((r) => r.done));
    clearInterval(watch);
    off();
    expect(outcomes.map((o) => o.status)).toEqual(['executed', 'executed', 'executed', 'executed']);
    const records = t.app.get(RecordsRepository);
    expect(sent).toEqual(runs.map((r) => records.commands(r.e.id)[0]!.id));
    expect(most).toBe(1);
  });

  it('serves as many at once as its capacity', async () => {
    const lock = t.app.get(InstrumentRegistry).get('pair')!.lock;
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, lock.inUse)), 5);
    const outcomes = await Promise.all(
      [run('pair'), run('pair'), run('pair'), run('pair')].map((r) => r.done),
    );
    clearInterval(watch);
    expect(outcomes.every((o) => o.status === 'executed')).toBe(true);
    expect(most).toBe(2);
  });

  it('stalls only the experiments that need a dead instrument', async () => {
    const stuck = [run('ghost', '3 s'), run('ghost', '3 s')];
    const fine = await Promise.all([run('reader'), run('pair'), run('reader')].map((r) => r.done));
    expect(fine.map((o) => o.status)).toEqual(['executed', 'executed', 'executed']);
    const lock = t.app.get(InstrumentRegistry).get('ghost')!.lock;
    expect([lock.inUse, lock.queued]).toEqual([1, 1]);
    const ended = await Promise.all(stuck.map((r) => r.done));
    expect(ended).toEqual([
      { status: 'failed', reason: expect.stringMatching(/INSTRUMENT_TIMEOUT/) },
      { status: 'failed', reason: expect.stringMatching(/INSTRUMENT_TIMEOUT/) },
    ]);
  });
});
