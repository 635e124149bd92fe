/**
 * The OPC UA driver against a real node-opcua server: write, call, wait (by subscription) and read; describe from
 * the server; deadlines, aborts, timeouts; the offline policy; what a crash leaves (reconcile).
 */
import { randomUUID } from 'node:crypto';
import { firstValueFrom, filter } from 'rxjs';
import type { CommandRequest } from '../../src/lab/instrument-driver.port.js';
import { opcuaDriver, type OpcuaRig } from '../helpers/opcua-rig.js';
import { REACTOR_NS, startReactorServer, type ReactorServer } from '../helpers/opcua-test-server.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const dir = tempDir('labloop-opcua-driver-');

function entry(url: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    driver: 'opcua',
    endpoint: url,
    namespaces: { r: REACTOR_NS },
    actions: {
      heat: {
        params: { temperature: { type: 'number', unit: 'degC' } },
        result: { temperature: { type: 'number', unit: 'degC' } },
      },
      add: { params: { a: { type: 'number' }, b: { type: 'number' } }, result: { sum: { type: 'number' } } },
      check: { params: {}, result: { status: { type: 'string' } } },
      hold: { params: { temperature: { type: 'number' } } },
    },
    readings: { temperature: { type: 'number', unit: 'degC' }, level: { type: 'integer' } },
    readingNodes: { temperature: 'ns=r;s=Reactor.Temperature', level: '/r:Reactor/Level' },
    limits: { temperature: { min: 0, max: 150 }, a: { min: -10, max: 10 }, b: { min: -10, max: 10 } },
    operations: {
      heat: {
        steps: [
          { write: { node: 'ns=r;s=Reactor.Setpoint', value: '${params.temperature}' } },
          { call: { object: 'ns=r;s=Reactor', method: 'Start' } },
          {
            wait: {
              node: 'ns=r;s=Reactor.Temperature',
              near: '${params.temperature}',
              tolerance: 0.5,
              hold: '100 ms',
              timeout: '10 s',
            },
          },
          { wait: { node: 'ns=r;s=Reactor.Status', equals: 'AtSetpoint', timeout: '10 s' } },
          { read: { node: 'ns=r;s=Reactor.Temperature', into: 'temperature' } },
        ],
      },
      add: {
        steps: [
          {
            call: {
              object: '/r:Reactor',
              method: 'Add',
              args: ['${params.a}', '${params.b}'],
              outputs: ['sum'],
            },
          },
        ],
      },
      check: { steps: [{ read: { node: 'ns=r;s=Reactor.Status', into: 'status' } }] },
      hold: {
        steps: [
          { write: { node: 'ns=r;s=Reactor.Setpoint', value: '${params.temperature}' } },
          { wait: { node: 'ns=r;s=Reactor.Status', equals: 'Never', timeout: '1 s' } },
        ],
        idempotent: true,
      },
    },
    abort: [{ call: { object: 'ns=r;s=Reactor', method: 'Stop' } }],
    ...extra,
  };
}

function request(
  action: string,
  params: Record<string, unknown>,
  over: Partial<CommandRequest> = {},
): CommandRequest {
  return { id: randomUUID(), action, params, deadline: Date.now() + 10_000, timeoutMs: 15_000, ...over };
}

describe('OPC UA driver (real node-opcua server)', () => {
  let server: ReactorServer;
  let rig: OpcuaRig;

  beforeAll(async () => {
    server = await startReactorServer({ pkiDir: dir.path });
    rig = opcuaDriver(entry(server.url), dir.path);
    await rig.driver.connect();
    await waitFor('connected', () => rig.driver.status().online, 20_000);
  });
  afterAll(async () => {
    await rig?.close();
    await server?.stop();
    dir.cleanup();
  });

  it('writes, calls, waits on a monitored variable and reads the result', async () => {
    server.log.length = 0;
    const progress: number[] = [];
    const outcome = await rig.driver.execute(request('heat', { temperature: 42 }), {
      onProgress: (p) => p.progress !== undefined && progress.push(p.progress),
    });
    expect(outcome.status).toBe('done');
    const t = outcome.status === 'done' ? (outcome.result['temperature'] as number) : NaN;
    expect(Math.abs(t - 42)).toBeLessThanOrEqual(0.5);
    expect(server.log).toEqual(['write Setpoint=42', 'Start']);
    expect(progress).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('calls a method with arguments and returns its outputs', async () => {
    const outcome = await rig.driver.execute(request('add', { a: 2.5, b: 4 }));
    expect(outcome).toEqual({ status: 'done', result: { sum: 6.5 } });
  });

  it('describes itself from the server: types and the EURange of written variables', async () => {
    const d = await rig.driver.described(5000);
    expect(d?.partial).toBe(true);
    expect(d?.actions['heat']?.params['temperature']).toEqual({ type: 'number', min: 0, max: 200 });
    expect(d?.actions['add']?.params).toEqual({ a: { type: 'number' }, b: { type: 'number' } });
    expect(d?.readings).toEqual({ temperature: { type: 'number' }, level: { type: 'integer' } });
  });

  it('streams readings by subscription', async () => {
    const r = await firstValueFrom(
      rig.driver.readings$.pipe(filter((x) => x.name === 'temperature' && x.valid)),
    );
    expect(typeof r.value).toBe('number');
    expect(rig.driver.latestReadings().find((x) => x.name === 'level')?.value).toBe(3);
  });

  it('refuses a command past its deadline without touching the server', async () => {
    server.log.length = 0;
    const outcome = await rig.driver.execute(
      request('heat', { temperature: 30 }, { deadline: Date.now() - 1 }),
    );
    expect(outcome).toMatchObject({ status: 'rejected', error: { code: 'EXPIRED' } });
    expect(server.log).toEqual([]);
  });

  it('refuses a value the node cannot hold rather than letting the stack convert it', async () => {
    const outcome = await rig.driver.execute(request('heat', { temperature: 'hot' }));
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'BAD_PARAMETER' } });
  });

  it('fails a wait that is not met in time and stops the instrument', async () => {
    server.log.length = 0;
    const outcome = await rig.driver.execute(request('hold', { temperature: 25 }));
    expect(outcome).toMatchObject({ status: 'failed', error: { code: 'CONDITION_TIMEOUT' } });
    const aborted = await rig.driver.execute(request('hold', { temperature: 25 }, { timeoutMs: 300 }));
    expect(aborted).toMatchObject({ status: 'timeout', error: { code: 'INSTRUMENT_TIMEOUT' } });
    await waitFor('Stop called', () => server.log.includes('Stop'));
  });

  it('aborts a running command through its AbortSignal: failed ABORTED, instrument stopped', async () => {
    server.log.length = 0;
    const controller = new AbortController();
    const pending = rig.driver.execute(request('hold', { temperature: 25 }), {
      signal: controller.signal,
      onProgress: (p) => p.progress !== undefined && controller.abort(),
    });
    expect(await pending).toMatchObject({ status: 'failed', error: { code: 'ABORTED' } });
    expect(server.log).toEqual(['write Setpoint=25', 'Stop']);
  });

  it('tells what a crash leaves: writes and calls are unknown unless declared idempotent; reads are repeatable', async () => {
    const pending = (action: string) => ({
      id: randomUUID(),
      action,
      params: {},
      deadline: Date.now() + 1000,
    });
    expect(await rig.driver.reconcile(pending('heat'))).toMatchObject({ kind: 'unknown' });
    expect(await rig.driver.reconcile(pending('hold'))).toEqual({ kind: 'resend' });
    expect(await rig.driver.reconcile(pending('check'))).toEqual({ kind: 'resend' });
  });
});
