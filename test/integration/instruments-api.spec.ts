/**
 * Manual and emergency control through a daemon booted for real (fast lab connected at boot, simulated reader on
 * the authenticating embedded broker): the instruments list, manual actions over HTTP and the CLI — limit-checked,
 * locked, journaled — and the emergency stop.
 */
import { Writable } from 'node:stream';
import { DataSource } from 'typeorm';
import { doCommand, estopCommand, parseAssignments } from '../../src/cli/instrument.commands.js';
import { InstrumentRegistry } from '../../src/lab/instrument-registry.service.js';
import { nativeDatabase } from '../../src/store/sqlite-connection.js';
import { createToken } from '../helpers/api-token.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

let token = '';

async function post(url: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

describe('instruments API and CLI (daemon mode)', () => {
  const dir = tempDir();
  let t: TestApp;
  const events = (type: string): Record<string, unknown>[] =>
    (
      nativeDatabase(t.app.get(DataSource))
        .prepare('SELECT data FROM event WHERE type = ? ORDER BY id')
        .all(type) as {
        data: string;
      }[]
    ).map((r) => JSON.parse(r.data) as Record<string, unknown>);
  const measure = { temperature: 37, ph: 7, substrate: 5 };

  beforeAll(async () => {
    t = await startTestApp({
      mode: 'daemon',
      dataDir: dir.path,
      env: {
        LABLOOP_INSTRUMENTS__LABS: 'test/fixtures/fast-lab.yaml',
        // Hundreds of manual calls in seconds: far past the default 60 a minute.
        LABLOOP_AUTH__RATELIMIT__WRITES: '100000',
      },
    });
    await waitFor('reader online', () => t.app.get(InstrumentRegistry).get('reader')?.driver.status().online);
    token = createToken(t.app, 'operator');
    process.env['LABLOOP_TOKEN'] = token; // the CLI reads it, as a user's shell would give it
  });
  afterAll(async () => {
    delete process.env['LABLOOP_TOKEN'];
    await t.close();
    dir.cleanup();
  });

  it('lists instruments with link, state and last readings', async () => {
    const list = (await (await fetch(`${t.url}/api/instruments`)).json()) as Record<string, unknown>[];
    expect(list).toEqual([
      expect.objectContaining({
        id: 'reader',
        lab: 'fast',
        driver: 'mqtt',
        link: true,
        online: true,
        state: 'idle',
        capacity: 1,
        actions: ['measure'],
        readings: expect.any(Array),
      }),
    ]);
  });

  it('runs a manual action: limit-checked, journaled before and after', async () => {
    const r = await post(`${t.url}/api/instruments/reader/actions/measure`, {
      params: measure,
      reason: 'calibration',
    });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      status: 'done',
      instrument: 'reader',
      action: 'measure',
      result: { rate: expect.any(Number) },
    });
    const id = r.body['commandId'];
    expect(events('manual.command')).toContainEqual(
      expect.objectContaining({
        commandId: id,
        instrument: 'reader',
        params: measure,
        source: 'api',
        actor: 'operator',
        reason: 'calibration',
      }),
    );
    expect(events('manual.finished')).toContainEqual(
      expect.objectContaining({ commandId: id, status: 'done' }),
    );
  });

  it('refuses values outside the hard limits before anything is sent', async () => {
    const r = await post(`${t.url}/api/instruments/reader/actions/measure`, {
      params: { ...measure, temperature: 500 },
    });
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ status: 'rejected', error: { code: 'LIMIT_EXCEEDED' } });
    const sent = nativeDatabase(t.app.get(DataSource))
      .prepare("SELECT COUNT(*) AS n FROM event WHERE type = 'manual.finished' AND data LIKE ?")
      .get(`%${String(r.body['commandId'])}%LIMIT_EXCEEDED%`) as { n: number };
    expect(sent.n).toBe(1);
    expect(
      (await post(`${t.url}/api/instruments/reader/actions/measure`, { params: measure, extra: 1 })).status,
    ).toBe(400);
    expect((await post(`${t.url}/api/instruments/nope/actions/measure`, { params: measure })).status).toBe(
      404,
    );
  });

  it('waits its turn for the instrument and gives up when it stays busy', async () => {
    const release = await t.app.get(InstrumentRegistry).reserve('reader');
    try {
      const r = await post(`${t.url}/api/instruments/reader/actions/measure`, {
        params: measure,
        timeout: '200 ms',
      });
      expect(r.status).toBe(409);
      expect(r.body).toMatchObject({ status: 'rejected', error: { code: 'INSTRUMENT_BUSY' } });
    } finally {
      release();
    }
  });

  it('does the same from the CLI: labloop do reader measure key=value…', async () => {
    const out = new Sink();
    const code = await doCommand(
      'reader',
      'measure',
      ['temperature=40', 'ph=7.5', 'substrate=5'],
      { url: t.url },
      out,
    );
    expect(code).toBe(0);
    expect(out.text).toMatch(/^done reader\.measure: rate=\S+ slope=\S+\n$/);
    expect(events('manual.command').at(-1)).toMatchObject({
      source: 'cli',
      params: { temperature: 40, ph: 7.5, substrate: 5 },
    });
    const refused = new Sink();
    expect(
      await doCommand(
        'reader',
        'measure',
        ['temperature=NaN', 'ph=7', 'substrate=5'],
        { url: t.url },
        refused,
      ),
    ).toBe(1);
    expect(refused.text).toMatch(
      /rejected reader\.measure: BAD_PARAMETER: reader\.measure\.temperature: expected a finite number, got "NaN"/,
    );
    expect(parseAssignments(['a=1e3', 'b=true', 'c=-0.5', 'd=80degC'])).toEqual({
      a: 1000,
      b: true,
      c: -0.5,
      d: '80degC',
    });
  });

  it('sends an emergency stop to every instrument at once, journaled', async () => {
    const out = new Sink();
    expect(await estopCommand([], { url: t.url, reason: 'smoke' }, out)).toBe(0);
    expect(out.text).toBe('abort sent to reader\n');
    expect(events('instrument.abort').at(-1)).toMatchObject({
      instruments: ['reader'],
      emergency: true,
      source: 'cli',
      reason: 'smoke',
    });
    expect(events('instrument.aborted').at(-1)).toMatchObject({ delivered: ['reader'], failed: [] });
    const one = await post(`${t.url}/api/instruments/reader/abort`, {});
    expect(one).toMatchObject({ status: 200, body: { delivered: ['reader'] } });
    await expect(estopCommand(['nope'], { url: t.url }, new Sink())).rejects.toThrow(/no instrument nope/);
  });
});

describe('the emergency stop and the rate limit', () => {
  it('is never turned away, however many calls came before it', async () => {
    const dir = tempDir();
    const t = await startTestApp({
      mode: 'daemon',
      dataDir: dir.path,
      env: { LABLOOP_INSTRUMENTS__LABS: 'test/fixtures/fast-lab.yaml', LABLOOP_AUTH__RATELIMIT__WRITES: '1' },
    });
    try {
      const secret = createToken(t.app, 'operator');
      const send = (path: string, body: unknown) =>
        fetch(`${t.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${secret}` },
          body: JSON.stringify(body),
        });
      const measure = { params: { temperature: 37, ph: 7, substrate: 5 } };
      await send('/api/instruments/reader/actions/measure', measure);
      expect((await send('/api/instruments/reader/actions/measure', measure)).status).toBe(429);
      for (let i = 0; i < 3; i++) {
        expect((await send('/api/instruments/abort', {})).status).toBe(200);
        expect((await send('/api/instruments/reader/abort', {})).status).toBe(200);
      }
    } finally {
      await t.close();
      dir.cleanup();
    }
  });
});
