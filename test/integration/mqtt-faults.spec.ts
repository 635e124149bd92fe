/**
 * MQTT faults and security against the embedded aedes and a real Mosquitto: a broker restart in the middle of a
 * command (it completes, executed exactly once), an instrument that disconnects (readings invalid, offline policy
 * applied), clients without the right credentials (no command gets through), and TLS with client certificates.
 */
import { randomUUID } from 'node:crypto';
import { connect, type MqttClient } from 'mqtt';
import { firstValueFrom, filter } from 'rxjs';
import { MqttLink } from '../../drivers/mqtt/mqtt-link.js';
import type { CommandRequest } from '../../src/lab/instrument-driver.port.js';
import { startMosquitto } from '../helpers/mosquitto.js';
import { dropConnection, echoModel, mqttRig, type MqttRig } from '../helpers/mqtt-rig.js';
import { BROKER_KINDS, TEST_USERS } from '../helpers/test-brokers.js';
import { tempDir } from '../helpers/temp-dir.js';
import { makeCertificates } from '../helpers/tls-certs.js';

const request = (x: number, over: Partial<CommandRequest> = {}): CommandRequest => ({
  id: randomUUID(),
  action: 'echo',
  params: { x },
  deadline: Date.now() + 30_000,
  timeoutMs: 30_000,
  ...over,
});

function connected(client: MqttClient): Promise<void> {
  return new Promise((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
}

describe.each(BROKER_KINDS)('MQTT faults (%s)', (broker) => {
  let rig: MqttRig;
  afterEach(async () => rig?.close());

  it('completes a command exactly once across a broker restart', async () => {
    rig = await mqttRig({ broker, model: echoModel(1500) });
    const req = request(7);
    let running!: () => void;
    const isRunning = new Promise<void>((r) => (running = r));
    const sends: boolean[] = [];
    const outcome = rig.driver.execute(req, {
      onProgress: (p) => p.status === 'running' && running(),
      onSend: (resend) => sends.push(resend),
    });
    await isRunning;
    await rig.broker.restart();
    expect(await outcome).toEqual({ status: 'done', result: { y: 14 } });
    expect(rig.executed).toEqual([req.id]);
    expect(sends[0]).toBe(false);
    expect(sends.slice(1)).toEqual(sends.slice(1).map(() => true));
  });

  it('marks readings invalid when the instrument drops, and applies the offline policy to new commands', async () => {
    rig = await mqttRig({ broker });
    await firstValueFrom(rig.driver.readings$.pipe(filter((r) => r.valid)));
    await rig.sim!.stop(); // says goodbye: online false, retained
    await firstValueFrom(rig.driver.status$.pipe(filter((s) => !s.online)));
    expect(rig.driver.latestReadings().every((r) => !r.valid)).toBe(true);
    expect(await rig.driver.execute(request(1), { offline: { policy: 'fail' } })).toMatchObject({
      status: 'failed',
      error: { code: 'INSTRUMENT_OFFLINE' },
    });
    expect(
      await rig.driver.execute(request(1), { offline: { policy: 'wait', maxWaitMs: 200 } }),
    ).toMatchObject({
      status: 'timeout',
      error: { code: 'INSTRUMENT_OFFLINE' },
    });
    // A dead connection (no goodbye) counts the same once the broker sends the last will.
    const sim = await rig.startSim();
    await firstValueFrom(rig.driver.status$.pipe(filter((s) => s.online)));
    dropConnection(sim);
    await firstValueFrom(rig.driver.status$.pipe(filter((s) => !s.online)));
    expect(rig.executed).toEqual([]);
  });

  it('lets no one but the daemon publish a command', async () => {
    rig = await mqttRig({ broker });
    const refused = async (login: { username?: string; password?: string }): Promise<string> => {
      const c = connect(rig.broker.url, { ...login, reconnectPeriod: 0 });
      try {
        await connected(c);
        return 'connected';
      } catch (e) {
        return String(e);
      } finally {
        await c.endAsync(true);
      }
    };
    expect(await refused({})).toMatch(/Not authorized|Bad username or password/i);
    expect(await refused({ username: 'dev', password: 'wrong' })).toMatch(
      /Not authorized|Bad username or password/i,
    );
    expect(await refused({ username: 'labloop', password: 'dev-secret' })).toMatch(
      /Not authorized|Bad username or password/i,
    );

    // Logged in as another instrument: a command to dev never arrives; neither does a fake state for dev.
    const watcher = connect(rig.broker.url, { ...rig.broker.login('labloop') });
    await connected(watcher);
    const seen: string[] = [];
    watcher.on('message', (topic) => seen.push(topic));
    await watcher.subscribeAsync(['labloop/+/cmd', 'labloop/+/state', 'labloop/other/describe'], { qos: 1 });
    const intruder = connect(rig.broker.url, { ...rig.broker.login('other'), reconnectPeriod: 0 });
    await connected(intruder);
    const closed = new Promise<void>((r) => intruder.once('close', () => r()));
    const forged = JSON.stringify({
      id: randomUUID(),
      action: 'echo',
      params: { x: 1 },
      deadline: new Date(Date.now() + 60_000).toISOString(),
    });
    intruder.publish('labloop/dev/cmd', forged, { qos: 1 });
    intruder.publish('labloop/dev/state', JSON.stringify({ online: false }), { qos: 1 });
    // Its own topics still work on Mosquitto (which drops what is forbidden); aedes closes the connection instead.
    const marker = new Promise<void>((r) =>
      watcher.on('message', (t) => t === 'labloop/other/describe' && r()),
    );
    intruder.publish('labloop/other/describe', '{}', { qos: 1 });
    await Promise.race([marker, closed]);
    await intruder.endAsync(true);
    await watcher.endAsync(true);
    expect(seen.filter((t) => t.startsWith('labloop/dev/'))).toEqual(['labloop/dev/state']);
    expect(rig.driver.status().online).toBe(true);
    expect(rig.executed).toEqual([]);
    // The daemon's own commands still flow.
    expect(await rig.driver.execute(request(2))).toEqual({ status: 'done', result: { y: 4 } });
  });
});

describe('MQTT over TLS (Mosquitto, client certificates)', () => {
  it('connects with the CA and a client certificate, and is refused without the certificate', async () => {
    const dir = tempDir('labloop-tls-');
    const certs = makeCertificates(dir.path);
    const mosquitto = await startMosquitto({
      users: TEST_USERS,
      tls: { ca: certs.ca, cert: certs.serverCert, key: certs.serverKey },
    });
    const { readFileSync } = await import('node:fs');
    const tls = { ca: readFileSync(certs.ca), rejectUnauthorized: true };
    const login = { username: 'labloop', password: 'daemon-secret' };
    const good = new MqttLink({
      url: mosquitto.tlsUrl!,
      topicPrefix: 'labloop',
      ...login,
      tls: { ...tls, cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) },
    });
    const noCert = new MqttLink({
      url: mosquitto.tlsUrl!,
      topicPrefix: 'labloop',
      ...login,
      tls,
      client: { reconnectPeriod: 0 },
    });
    try {
      await good.waitConnected(10_000);
      const echo = new Promise<string>((r) => good.subscribe('labloop/dev/cmd', (_t, p) => r(p.toString())));
      await good.publish('labloop/dev/cmd', 'hello', 1);
      expect(await echo).toBe('hello');
      await expect(noCert.waitConnected(3000)).rejects.toThrow(/cannot reach/);
    } finally {
      await good.close();
      await noCert.close();
      await mosquitto.stop();
      dir.cleanup();
    }
  });
});
