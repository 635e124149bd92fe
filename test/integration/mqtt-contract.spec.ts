/**
 * The MQTT contract v1 end to end: a real aedes broker, the simulated instrument and the driver on loopback.
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'mqtt';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import type { CommandRequest } from '../../src/lab/instrument-driver.port.js';
import { echoModel, mqttRig, type MqttRig } from '../helpers/mqtt-rig.js';
import { waitFor } from '../helpers/wait-for.js';

function request(x: number, over: Partial<CommandRequest> = {}): CommandRequest {
  return {
    id: randomUUID(),
    action: 'echo',
    params: { x },
    deadline: Date.now() + 10_000,
    timeoutMs: 5000,
    ...over,
  };
}

describe('MQTT contract v1 (aedes, simulator, driver)', () => {
  let rig: MqttRig;
  afterEach(async () => rig?.close());

  it('runs a command: accepted, running with progress, done with the result; tracks the retained state', async () => {
    rig = await mqttRig();
    await waitFor('instrument online', () => rig.driver.status().online);
    const progress: string[] = [];
    const outcome = await rig.driver.execute(request(21), { onProgress: (p) => progress.push(p.status) });
    expect(outcome).toEqual({ status: 'done', result: { y: 42 } });
    expect(progress[0]).toBe('accepted');
    expect(progress).toContain('running');
    expect(rig.driver.describe()?.actions['echo']?.params['x']?.type).toBe('number');
    await waitFor('state back to idle', () => rig.driver.status().state === 'idle');
  });

  it('never runs a repeated command id twice and answers it with the first outcome', async () => {
    rig = await mqttRig();
    const req = request(5);
    expect(await rig.driver.execute(req)).toEqual({ status: 'done', result: { y: 10 } });
    expect(await rig.driver.execute(req, { alreadySent: true })).toEqual({
      status: 'done',
      result: { y: 10 },
    });
    expect(rig.executed).toEqual([req.id]);
  });

  it('has the instrument refuse a command received after its deadline', async () => {
    rig = await mqttRig();
    const outcome = await rig.driver.execute(request(1, { deadline: Date.now() - 1 }));
    expect(outcome).toEqual({
      status: 'rejected',
      error: { code: 'EXPIRED', message: expect.stringContaining('deadline') },
    });
    expect(rig.executed).toEqual([]);
  });

  it('gets unknown actions and bad parameters rejected with a code naming the parameter', async () => {
    rig = await mqttRig();
    expect(await rig.driver.execute(request(1, { action: 'fly' }))).toMatchObject({
      status: 'rejected',
      error: { code: 'UNKNOWN_ACTION' },
    });
    expect(await rig.driver.execute({ ...request(1), params: { x: 'one' } })).toMatchObject({
      status: 'rejected',
      error: { code: 'BAD_PARAMETER', message: expect.stringContaining('"x"') },
    });
  });

  it('aborts a running command: it ends failed with ABORTED', async () => {
    rig = await mqttRig({ model: echoModel(3000) });
    const controller = new AbortController();
    const pending = rig.driver.execute(request(1), {
      signal: controller.signal,
      onProgress: (p) => p.status === 'running' && controller.abort(),
    });
    expect(await pending).toMatchObject({ status: 'failed', error: { code: 'ABORTED' } });
  });

  it('times out cleanly when nobody answers', async () => {
    rig = await mqttRig({ startSim: false, replyTimeoutMs: 200 });
    const outcome = await rig.driver.execute(request(1, { timeoutMs: 400 }));
    expect(outcome).toMatchObject({ status: 'timeout', error: { code: 'INSTRUMENT_TIMEOUT' } });
  });

  it('waits for an offline instrument and sends again, same id, when it comes back', async () => {
    rig = await mqttRig({ startSim: false, replyTimeoutMs: 300 });
    // The instrument was seen and then went away (its last will).
    const will = connect(rig.broker.url);
    await new Promise((r) => will.once('connect', r));
    await will.publishAsync('labloop/dev/state', JSON.stringify({ online: false }), { qos: 1, retain: true });
    await will.endAsync();
    await waitFor('offline seen', () => rig.driver.status().link && !rig.driver.status().online);
    const req = request(4);
    const pending = rig.driver.execute(req);
    await new Promise((r) => setTimeout(r, 500));
    const { MqttSimInstrument } = await import('../../simulators/common/mqtt-sim-instrument.js');
    const sim = new MqttSimInstrument({
      id: 'dev',
      url: rig.broker.url,
      model: echoModel(),
      clock: rig.clock,
      seed: 1,
      onExecute: (id) => rig.executed.push(id),
    });
    await sim.start();
    try {
      expect(await pending).toEqual({ status: 'done', result: { y: 8 } });
      expect(rig.executed).toEqual([req.id]);
    } finally {
      await sim.stop();
    }
  });

  it('marks the instrument offline and its readings invalid when it disappears (last will)', async () => {
    rig = await mqttRig();
    await firstValueFrom(rig.driver.readings$.pipe(filter((r) => r.valid)));
    const invalid = firstValueFrom(rig.driver.readings$.pipe(filter((r) => !r.valid)));
    // Kill the simulator's socket without a goodbye: the broker publishes its will.
    for (const client of Object.values(
      (
        rig.broker.instance as unknown as {
          clients: Record<string, { id: string; conn: { destroy(): void } }>;
        }
      ).clients,
    )) {
      if (client.id.startsWith('sim-')) client.conn.destroy();
    }
    expect((await invalid).valid).toBe(false);
    await waitFor('offline', () => !rig.driver.status().online);
  });

  it('ignores and counts malformed replies and telemetry; keeps working', async () => {
    rig = await mqttRig();
    const garbage = connect(rig.broker.url);
    await new Promise((r) => garbage.once('connect', r));
    const bad = [
      '',
      'not json',
      '{}',
      '[]',
      '{"id":5}',
      '{"id":"x","status":"exploded"}',
      '{"id":"x","status":"done","progress":7}',
      'null',
    ];
    for (let i = 0; i < 1000; i++) {
      const payload = bad[i % bad.length] ?? '';
      garbage.publish(i % 2 ? 'labloop/dev/reply' : 'labloop/dev/telemetry/level', payload, { qos: 0 });
    }
    await waitFor('1000 malformed messages counted', () => rig.driver.malformedCount >= 1000, 10_000);
    await garbage.endAsync();
    expect(await rig.driver.execute(request(3))).toEqual({ status: 'done', result: { y: 6 } });
    expect(rig.driver.status().online).toBe(true);
  });

  it('delivers telemetry as valid readings while the instrument is online', async () => {
    rig = await mqttRig();
    const readings = await firstValueFrom(rig.driver.readings$.pipe(take(3), toArray()));
    expect(readings.map((r) => [r.name, r.value, r.valid])).toEqual([
      ['level', 1.5, true],
      ['level', 1.5, true],
      ['level', 1.5, true],
    ]);
  });
});
