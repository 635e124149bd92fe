/**
 * The LADS preset against a real LADS device (the nodeset node-opcua ships): StartProgram with the experiment id
 * as SupervisoryJobId and the command id as SupervisoryTaskId, follow the run, read the Result — and after a
 * crash, find the run again by the command id instead of starting it twice.
 */
import { randomUUID } from 'node:crypto';
import type { CommandRequest } from '../../src/lab/instrument-driver.port.js';
import { LADS_UNIT_PATH, startLadsServer, type LadsServer } from '../helpers/lads-test-server.js';
import { opcuaDriver, type OpcuaRig } from '../helpers/opcua-rig.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const dir = tempDir('labloop-lads-');

function entry(url: string, template = 'Kinetic'): Record<string, unknown> {
  return {
    driver: 'opcua',
    endpoint: url,
    actions: {
      measure: {
        params: { temperature: { type: 'number', unit: 'degC' } },
        result: { rate: { type: 'number' } },
      },
    },
    limits: { temperature: { min: 0, max: 100 } },
    lads: {
      functionalUnit: LADS_UNIT_PATH,
      programs: {
        measure: {
          template,
          properties: { temperature: '${params.temperature}', note: 'run ${command.id}' },
          results: { rate: 'Rate' },
        },
      },
    },
  };
}

const measure = (temperature: number, over: Partial<CommandRequest> = {}): CommandRequest => ({
  id: randomUUID(),
  experimentId: randomUUID(),
  action: 'measure',
  params: { temperature },
  deadline: Date.now() + 10_000,
  timeoutMs: 20_000,
  ...over,
});

describe('OPC UA driver, LADS preset (real LADS device)', () => {
  let server: LadsServer;
  let rig: OpcuaRig;
  const rigs: OpcuaRig[] = [];
  const connected = async (template?: string): Promise<OpcuaRig> => {
    const r = opcuaDriver(entry(server.url, template), dir.path);
    rigs.push(r);
    await r.driver.connect();
    await waitFor('described', () => r.driver.describe(), 30_000);
    return r;
  };

  beforeAll(async () => {
    server = await startLadsServer({ pkiDir: dir.path });
    rig = await connected();
  }, 120_000);
  afterAll(async () => {
    for (const r of rigs) await r.close();
    await server?.stop();
    dir.cleanup();
  });

  it('starts the program with our ids, follows it with progress, and reads its result', async () => {
    const req = measure(37);
    const progress: number[] = [];
    const outcome = await rig.driver.execute(req, {
      onProgress: (p) => p.progress !== undefined && progress.push(p.progress),
    });
    expect(outcome).toEqual({ status: 'done', result: { rate: 74 } });
    expect(server.runs.at(-1)).toEqual({
      runId: expect.any(String),
      template: 'Kinetic',
      properties: { temperature: '37', note: `run ${req.id}` },
      jobId: req.experimentId,
      taskId: req.id,
    });
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p >= 0 && p <= 1)).toBe(true);
    await waitFor('unit idle', () => rig.driver.status().state === 'idle');
  });

  it('describes the actions whose program templates the unit offers', async () => {
    expect(rig.driver.describe()?.actions['measure']).toEqual({ params: {}, result: {} });
    const other = await connected('NoSuchTemplate');
    expect(other.driver.describe()?.actions['measure']).toBeUndefined();
  });

  it('finds a run again after a crash: follows it if running, never starts it twice', async () => {
    const req = measure(40);
    const first = opcuaDriver(entry(server.url), dir.path);
    await first.driver.connect();
    const abandoned = first.driver.execute(req);
    await waitFor('run started', () => server.runs.some((r) => r.taskId === req.id));
    await first.close(); // the daemon dies; the device keeps running the program
    expect((await abandoned).status).toBe('timeout');

    const pending = {
      id: req.id,
      experimentId: req.experimentId,
      action: 'measure',
      params: req.params,
      deadline: req.deadline,
    };
    expect(await rig.driver.reconcile(pending)).toEqual({ kind: 'running' });
    const outcome = await rig.driver.execute(req, { alreadySent: true });
    expect(outcome).toEqual({ status: 'done', result: { rate: 80 } });
    expect(server.runs.filter((r) => r.taskId === req.id)).toHaveLength(1);

    // Finished now: the result is found, nothing runs again.
    expect(await rig.driver.reconcile(pending)).toEqual({
      kind: 'finished',
      outcome: { status: 'done', result: { rate: 80 } },
    });
    expect(await rig.driver.execute(req, { alreadySent: true })).toEqual({
      status: 'done',
      result: { rate: 80 },
    });
    expect(server.runs.filter((r) => r.taskId === req.id)).toHaveLength(1);
  });

  it('knows a command that never reached the device can be sent again', async () => {
    const pending = {
      id: randomUUID(),
      action: 'measure',
      params: { temperature: 30 },
      deadline: Date.now() + 1000,
    };
    expect(await rig.driver.reconcile(pending)).toEqual({ kind: 'resend' });
  });

  it('ends a run whose end the device never notifies, by its result', async () => {
    server.silentEnd = true;
    try {
      expect(await rig.driver.execute(measure(25))).toEqual({ status: 'done', result: { rate: 50 } });
    } finally {
      server.silentEnd = false;
      server.settle();
    }
  });

  it('aborts a running program: failed ABORTED, the unit in Aborted', async () => {
    const controller = new AbortController();
    const outcome = rig.driver.execute(measure(20), {
      signal: controller.signal,
      onProgress: (p) => p.status === 'running' && controller.abort(),
    });
    expect(await outcome).toMatchObject({ status: 'failed', error: { code: 'ABORTED' } });
    await waitFor('unit aborted', () => rig.driver.status().state === 'error');
  });
});
