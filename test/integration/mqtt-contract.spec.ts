/**
 * The MQTT contract v1 end to end, the same suite against the embedded aedes and a real Mosquitto (both with logins
 * and topic rights): the simulated instrument and the driver on loopback.
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { jest } from '@jest/globals';
import { connect } from 'mqtt';
import { firstValueFrom, filter, take, toArray } from 'rxjs';
import type { CommandRequest } from '../../src/lab/instrument-driver.port.js';
import { dropConnection, echoModel, mqttRig, type MqttRig } from '../helpers/mqtt-rig.js';
import { BROKER_KINDS } from '../helpers/test-brokers.js';
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

describe.each(BROKER_KINDS)('MQTT contract v1 (%s, simulator, driver)', (broker) => {
  let rig: MqttRig;
  afterEach(async () => rig?.close());

  it('runs a command: accepted, running with progress, done with the result; tracks the retained state', async () => {
    rig = await mqttRig({ broker });
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
    rig = await mqttRig({ broker });
    const req = request(5);
    expect(await rig.driver.execute(req)).toEqual({ status: 'done', result: { y: 10 } });
    expect(await rig.driver.execute(req, { alreadySent: true })).toEqual({
      status: 'done',
      result: { y: 10 },
    });
    expect(rig.executed).toEqual([req.id]);
  });

  it('has the instrument refuse a command received after its deadline', async () => {
    rig = await mqttRig({ broker });
    const outcome = await rig.driver.execute(request(1, { deadline: Date.now() - 1 }));
    expect(outcome).toEqual({
      status: 'rejected',
      error: { code: 'EXPIRED', message: expect.stringContaining('deadline') },
    });
    expect(rig.executed).toEqual([]);
  });

  it('gets unknown actions and bad parameters rejected with a code naming the parameter', async () => {
    rig = await mqttRig({ broker });
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
    rig = await mqttRig({ broker, model: echoModel(3000) });
    const controller = new AbortController();
    const pending = rig.driver.execute(request(1), {
      signal: controller.signal,
      onProgress: (p) => p.status === 'running' && controller.abort(),
    });
    expect(await pending).toMatchObject({ status: 'failed', error: { code: 'ABORTED' } });
  });

  it('times out cleanly when nobody answers', async () => {
    rig = await mqttRig({ broker, startSim: false, replyTimeoutMs: 200 });
    const outcome = await rig.driver.execute(request(1, { timeoutMs: 400 }));
    expect(outcome).toMatchObject({ status: 'timeout', error: { code: 'INSTRUMENT_TIMEOUT' } });
  });

  it('waits for an offline instrument and sends again, same id, when it comes back', async () => {
    rig = await mqttRig({ broker, startSim: false, replyTimeoutMs: 300 });
    // The instrument was seen and then went away (its last will).
    const will = connect(rig.broker.url, rig.broker.login('dev'));
    await new Promise((r) => will.once('connect', r));
    await will.publishAsync('labloop/dev/state', JSON.stringify({ online: false }), { qos: 1, retain: true });
    await will.endAsync();
    await waitFor('offline seen', () => rig.driver.status().link && !rig.driver.status().online);
    const req = request(4);
    const pending = rig.driver.execute(req);
    await new Promise((r) => setTimeout(r, 500));
    await rig.startSim();
    expect(await pending).toEqual({ status: 'done', result: { y: 8 } });
    expect(rig.executed).toEqual([req.id]);
  });

  it('marks the instrument offline and its readings invalid when it disappears (last will)', async () => {
    rig = await mqttRig({ broker });
    await firstValueFrom(rig.driver.readings$.pipe(filter((r) => r.valid)));
    const invalid = firstValueFrom(rig.driver.readings$.pipe(filter((r) => !r.valid)));
    const offline = firstValueFrom(rig.driver.status$.pipe(filter((st) => !st.online)));
    // Kill the simulator's socket without a goodbye: the broker publishes its will.
    dropConnection(rig.sim!);
    expect((await invalid).valid).toBe(false);
    expect(await offline).toMatchObject({ link: true, online: false });
  });

  it('ignores, counts and logs malformed replies and telemetry; no crash, no state change', async () => {
    rig = await mqttRig({ broker });
    await waitFor('described and online', () => rig.driver.describe() && rig.driver.status().online);
    const before = { status: rig.driver.status(), describe: rig.driver.describe() };
    const warn = jest.spyOn(Logger.prototype, 'warn');
    let events = 0;
    rig.events.on('mqtt.malformed', () => events++);
    // The instrument's own login: it may publish on its topics, so garbage gets through to the driver.
    const garbage = connect(rig.broker.url, rig.broker.login('dev'));
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
    expect(rig.driver.malformedCount).toBe(1000);
    expect(events).toBe(1000);
    // Logged, but not 1,000 times: the first ten, then every hundredth.
    const logged = warn.mock.calls.filter(([m]) => String(m).includes('malformed')).length;
    warn.mockRestore();
    expect(logged).toBe(20);
    expect({ status: rig.driver.status(), describe: rig.driver.describe() }).toEqual(before);
    expect(await rig.driver.execute(request(3))).toEqual({ status: 'done', result: { y: 6 } });
    expect(rig.driver.status().online).toBe(true);
  });

  it('delivers telemetry as valid readings while the instrument is online', async () => {
    rig = await mqttRig({ broker });
    const readings = await firstValueFrom(rig.driver.readings$.pipe(take(3), toArray()));
    expect(readings.map((r) => [r.name, r.value, r.valid])).toEqual([
      ['level', 1.5, true],
      ['level', 1.5, true],
      ['level', 1.5, true],
    ]);
  });
});
