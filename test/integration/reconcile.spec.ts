/**
 * What the executor does with a command a crash left pending, asking its driver (the hook issue 6's reconciliation
 * builds on): a LADS run found finished is settled with its result, a run never started is started (once), and a
 * plain OPC UA write whose effect cannot be known leaves the experiment interrupted — never repeated blindly.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CampaignService } from '../../src/campaign/campaign.service.js';
import { ExperimentExecutor } from '../../src/execution/experiment-executor.service.js';
import { InstrumentRegistry } from '../../src/lab/instrument-registry.service.js';
import { compileProtocol } from '../../src/protocol/protocol.compiler.js';
import type { ProtocolSpec } from '../../src/protocol/protocol.schema.js';
import { loadCampaignFile, loadLabFile } from '../../src/protocol/document.loader.js';
import { Journal } from '../../src/store/journal.service.js';
import { RecordsRepository } from '../../src/store/records.repository.js';
import { LADS_UNIT_PATH, startLadsServer, type LadsServer } from '../helpers/lads-test-server.js';
import { REACTOR_NS, startReactorServer, type ReactorServer } from '../helpers/opcua-test-server.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const lab = (reactor: string, lads: string): string => `kind: lab
version: 1
name: opcua
instruments:
  reactor:
    driver: opcua
    endpoint: ${reactor}
    namespaces: { r: ${REACTOR_NS} }
    actions:
      heat: { params: { temperature: { type: number } } }
    limits: { temperature: { min: 0, max: 150 } }
    operations:
      heat:
        steps:
          - write: { node: ns=r;s=Reactor.Setpoint, value: '\${params.temperature}' }
  reader:
    driver: opcua
    endpoint: ${lads}
    actions:
      measure: { params: { temperature: { type: number } }, result: { rate: { type: number } } }
    limits: { temperature: { min: 0, max: 100 } }
    lads:
      functionalUnit: ${LADS_UNIT_PATH}
      programs:
        measure: { template: Kinetic, properties: { temperature: '\${params.temperature}' }, results: { rate: Rate } }
`;

/** The lab file the test writes (set in beforeAll). */
let labPath = '';

describe('reconciling commands a crash left pending (executor ↔ drivers)', () => {
  const dir = tempDir();
  let reactor: ReactorServer;
  let lads: LadsServer;
  let t: TestApp;
  let campaignId: string;
  let seq = 0;

  beforeAll(async () => {
    reactor = await startReactorServer({ pkiDir: join(dir.path, 'reactor-pki') });
    lads = await startLadsServer({ pkiDir: join(dir.path, 'lads-pki'), runtimeMs: 200 });
    labPath = join(dir.path, 'opcua-lab.yaml');
    writeFileSync(labPath, lab(reactor.url, lads.url));
    t = await startTestApp({
      mode: 'run',
      dataDir: join(dir.path, 'data'),
      env: { LABLOOP_INSTRUMENTS__LABS: labPath },
    });
    campaignId = t.app.get(CampaignService).create(loadCampaignFile('test/fixtures/fast-campaign.yaml')).id;
    const registry = t.app.get(InstrumentRegistry);
    await waitFor(
      'servers described',
      () => registry.get('reactor')?.driver.describe() && registry.get('reader')?.driver.describe(),
      30_000,
    );
  }, 120_000);
  afterAll(async () => {
    await t.close();
    await reactor.stop();
    await lads.stop();
    dir.cleanup();
  });

  /** An experiment whose one step's command was stored (and perhaps sent) by a process that then died. */
  function crashed(instrument: string, action: string, params: Record<string, number>, id?: string) {
    const journal = t.app.get(Journal);
    const e = journal.write((tx) => tx.createExperiment(campaignId, ++seq, randomUUID(), {}));
    // As the plan runner journals it: the step's attempt starts with its command, in one transaction.
    const cmd = journal.write((tx) => {
      tx.startStep(e, 'run', 'action');
      return tx.createCommand({
        experimentId: e.id,
        step: 'run',
        attempt: 1,
        instrument,
        action,
        params,
        deadline: Date.now() + 60_000,
      });
    });
    const protocol: ProtocolSpec = {
      inputs: {},
      steps: [{ id: 'run', instrument, action, params, timeout: '20 s' }],
      outputs: {},
    };
    const control = { drain: new AbortController().signal, abort: new AbortController().signal };
    return {
      e,
      cmd: id ?? cmd.id,
      resume: () =>
        t.app
          .get(ExperimentExecutor)
          .execute(e, compileProtocol(protocol, loadLabFile(labPath).spec), {}, control),
    };
  }

  it('marks an experiment interrupted when a plain write may or may not have happened', async () => {
    reactor.log.length = 0;
    const c = crashed('reactor', 'heat', { temperature: 50 });
    expect(await c.resume()).toEqual({
      status: 'interrupted',
      reason: expect.stringContaining('not declared idempotent'),
    });
    expect(reactor.log).toEqual([]);
    expect(t.app.get(RecordsRepository).commands(c.e.id)).toEqual([
      expect.objectContaining({
        status: 'failed',
        error: expect.objectContaining({ code: 'OUTCOME_UNKNOWN' }),
      }),
    ]);
  });

  it('settles a LADS command whose run the device finished while the daemon was down', async () => {
    const c = crashed('reader', 'measure', { temperature: 30 });
    // The run happened (started by the process that died): start it on the device with the stored ids.
    const driver = t.app.get(InstrumentRegistry).get('reader')!.driver;
    await driver.execute({
      id: c.cmd,
      experimentId: c.e.id,
      action: 'measure',
      params: { temperature: 30 },
      deadline: Date.now() + 60_000,
      timeoutMs: 20_000,
    });
    const runsBefore = lads.runs.length;
    const outcome = await c.resume();
    expect(outcome).toEqual({ status: 'executed', outputs: {}, units: {} });
    expect(lads.runs.length).toBe(runsBefore);
    expect(t.app.get(RecordsRepository).commands(c.e.id)).toEqual([
      expect.objectContaining({ id: c.cmd, status: 'done', result: { rate: 60 } }),
    ]);
  });

  it('starts a LADS command the device never received, once, with its stored id', async () => {
    const c = crashed('reader', 'measure', { temperature: 10 });
    expect(await c.resume()).toEqual({ status: 'executed', outputs: {}, units: {} });
    expect(lads.runs.filter((r) => r.taskId === c.cmd)).toEqual([expect.objectContaining({ jobId: c.e.id })]);
  });
});
