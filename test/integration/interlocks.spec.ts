/**
 * Interlocks on the real daemon: embedded broker, the simulated MQTT plate reader, SQLite file. A measurement above
 * 50 °C heats the plate; once the reader has reported it for a second the interlock trips mid-campaign. Then: the
 * campaign is held, no command reaches the driver while the interlock is tripped (a spy on the driver), the trip is
 * in the journal, a restart keeps it latched, a reset is refused while the condition holds and accepted once it
 * has cleared, and the campaign stays held until an explicit resume.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { interlockList, interlockReset } from '../../src/cli/interlock.commands.js';
import { DataSource } from 'typeorm';
import { InstrumentRegistry } from '../../src/lab/instrument-registry.service.js';
import { InterlockLatch } from '../../src/lab/interlock-latch.js';
import { SimulatorHost } from '../../src/lab/simulator-host.service.js';
import type { InterlockView } from '../../src/lab/interlock-monitor.service.js';
import Database from 'better-sqlite3';
import { DATABASE_FILE, nativeDatabase } from '../../src/store/sqlite-connection.js';
import { call, createToken } from '../helpers/api-token.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const LAB = 'test/fixtures/interlock-lab.yaml';
const CAMPAIGN = 'test/fixtures/interlock-campaign.yaml';
const ENV = { LABLOOP_INSTRUMENTS__LABS: JSON.stringify([LAB]) };

interface Sent {
  action: string;
  /** The lab's interlock was latched when the command reached the driver. */
  whileTripped: boolean;
}

/** Records every command that reaches the reader's driver, and whether an interlock was tripped at that moment. */
function spyOnDriver(t: TestApp): Sent[] {
  const sent: Sent[] = [];
  const reader = t.app.get(InstrumentRegistry).get('reader');
  if (!reader) throw new Error('no reader registered');
  const latch = t.app.get(InterlockLatch);
  const execute = reader.driver.execute.bind(reader.driver);
  reader.driver.execute = (request, options) => {
    sent.push({ action: request.action, whileTripped: latch.trippedIn('guarded').length > 0 });
    return execute(request, options);
  };
  return sent;
}

function collect(): { stream: Writable; text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  return { stream, text: () => out };
}

async function interlocks(t: TestApp): Promise<InterlockView[]> {
  return (await call(`${t.url}/api/interlocks`)).body as InterlockView[];
}

async function overheat(t: TestApp): Promise<InterlockView> {
  const v = (await interlocks(t)).find((i) => i.name === 'overheat');
  if (!v) throw new Error('interlock overheat is not listed');
  return v;
}

async function campaign(t: TestApp, id: string): Promise<{ status: string; reason: string | null }> {
  return (await call(`${t.url}/api/campaigns/${id}`)).body as { status: string; reason: string | null };
}

describe('interlocks on live readings', () => {
  const dir = tempDir();
  let t: TestApp;
  let token: string;

  afterAll(async () => {
    delete process.env['LABLOOP_TOKEN'];
    await t.close();
    dir.cleanup();
  });

  it('trips mid-campaign, stops commands, holds, survives a restart, and resets only once clear', async () => {
    t = await startTestApp({ mode: 'daemon', dataDir: dir.path, env: ENV });
    token = createToken(t.app, 'operator');
    const sent = spyOnDriver(t);
    expect(await overheat(t)).toMatchObject({ lab: 'guarded', state: 'armed', then: 'hold', watched: true });

    const created = await call(`${t.url}/api/campaigns`, {
      method: 'POST',
      token,
      body: { campaign: readFileSync(CAMPAIGN, 'utf8'), path: CAMPAIGN, start: true },
    });
    expect(created).toMatchObject({ status: 201, body: { status: 'running' } });
    const id = created.body.id as string;

    // The plate heats up with the first measurement; the reader reports it; a second later the interlock trips.
    const tripped = await waitFor('the interlock to trip', async () => {
      const v = await overheat(t);
      return v.state === 'tripped' && v;
    });
    expect(tripped.detail).toMatch(/^reader\.temperature = \d+(\.\d+)? degC \(for 1\.0 s\)$/);
    expect(tripped.since).toEqual(expect.any(String));
    const held = await waitFor('the campaign to be held', async () => {
      const c = await campaign(t, id);
      return c.status === 'held' && c;
    });
    expect(held.reason).toMatch(/^interlock overheat tripped: reader\.temperature = /);
    expect(sent.length).toBeGreaterThan(0);

    // Nothing new reaches the driver: not the loop, not a person.
    const manual = await call(`${t.url}/api/instruments/reader/actions/measure`, {
      method: 'POST',
      token,
      body: { params: { temperature: 30, ph: 7, substrate: 5 } },
    });
    expect(manual).toMatchObject({
      status: 409,
      body: { status: 'rejected', error: { code: 'INTERLOCK_TRIPPED' } },
    });
    const resumed = await call(`${t.url}/api/campaigns/${id}/resume`, { method: 'POST', token });
    expect(resumed).toMatchObject({ status: 409, body: { error: { code: 'INTERLOCK_TRIPPED' } } });
    // The emergency stop is never refused.
    const estop = await call(`${t.url}/api/instruments/abort`, { method: 'POST', token, body: {} });
    expect(estop).toMatchObject({ status: 200, body: { delivered: ['reader'] } });

    // The plate stays hot: the condition still holds, so a reset is refused.
    const early = await call(`${t.url}/api/interlocks/overheat/reset`, { method: 'POST', token, body: {} });
    expect(early).toMatchObject({ status: 409, body: { error: { code: 'INTERLOCK_TRIPPED' } } });
    expect(early.body.error.message).toMatch(/still holds: reader\.temperature = /);
    expect(sent.filter((s) => s.whileTripped && s.action !== 'abort')).toEqual([]);

    // In the journal: the trip row (latched) and its event; no experiment failed because of it.
    const db = nativeDatabase(t.app.get(DataSource));
    expect(db.prepare('SELECT name, lab, condition, action, reset_at FROM interlock_trip').all()).toEqual([
      {
        name: 'overheat',
        lab: 'guarded',
        condition: 'reader.temperature > 323.15 K for 1 s',
        action: 'hold',
        reset_at: null,
      },
    ]);
    const log = (await call(`${t.url}/api/events/log?last=1000`)).body as { type: string; data: object }[];
    expect(log.filter((e) => e.type === 'interlock.tripped').map((e) => e.data)).toEqual([
      expect.objectContaining({ interlock: 'overheat', lab: 'guarded', action: 'hold' }),
    ]);
    expect(
      db.prepare("SELECT COUNT(*) AS n FROM experiment WHERE campaign_id = ? AND status = 'failed'").get(id),
    ).toEqual({ n: 0 });

    // A restart: the trip is latched again at boot; the new simulator's plate starts cool.
    await t.close();
    t = await startTestApp({ mode: 'daemon', dataDir: dir.path, env: ENV });
    const after = spyOnDriver(t);
    expect(await overheat(t)).toMatchObject({ state: 'tripped', detail: tripped.detail });
    expect((await campaign(t, id)).status).toBe('held');
    const stillRefused = await call(`${t.url}/api/instruments/reader/actions/measure`, {
      method: 'POST',
      token,
      body: { params: { temperature: 30, ph: 7, substrate: 5 } },
    });
    expect(stillRefused).toMatchObject({ status: 409, body: { error: { code: 'INTERLOCK_TRIPPED' } } });
    await waitFor('the cool plate to be reported', async () => (await overheat(t)).condition === 'clear');

    // Through the CLI, as an operator would: list (exit 2 while tripped), then reset.
    process.env['LABLOOP_TOKEN'] = token;
    const listed = collect();
    expect(await interlockList({ url: t.url }, listed.stream)).toBe(2);
    expect(listed.text()).toMatch(
      /^guarded\/overheat {2}TRIPPED since \S+ {2}when reader\.temperature > 323\.15 K for 1 s → hold/,
    );
    const reset = collect();
    expect(
      await interlockReset('overheat', { url: t.url, reason: 'plate checked', json: true }, reset.stream),
    ).toBe(0);
    expect(JSON.parse(reset.text())).toMatchObject({ state: 'armed', lastReset: { by: 'operator' } });
    await expect(interlockReset('overheat', { url: t.url }, collect().stream)).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect((await campaign(t, id)).status).toBe('held'); // a reset never resumes
    expect(after).toEqual([]);
    const audit = (await call(`${t.url}/api/events/log?last=1000`)).body as { type: string; data: object }[];
    expect(audit.map((e) => e.data)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ route: '/api/interlocks/:name/reset', status: 200, actor: 'operator' }),
        expect.objectContaining({ interlock: 'overheat', by: 'operator', reason: 'plate checked' }),
      ]),
    );

    // An explicit resume carries on; the next hot measurement trips the re-armed interlock again.
    const resumedNow = await call(`${t.url}/api/campaigns/${id}/resume`, { method: 'POST', token });
    expect(resumedNow).toMatchObject({ status: 200, body: { status: 'running' } });
    await waitFor('a command to reach the reader again', () => after.length > 0);
    await waitFor('the interlock to trip again', async () => (await overheat(t)).state === 'tripped');
    await waitFor('the campaign to be held again', async () => (await campaign(t, id)).status === 'held');
    expect(after.filter((s) => s.whileTripped)).toEqual([]);
  }, 90_000);
});

describe('an interlock that aborts', () => {
  const dir = tempDir();
  let t: TestApp;

  afterAll(async () => {
    await t.close();
    dir.cleanup();
  });

  it('also aborts the command running on the instrument, and interrupts its experiment', async () => {
    // A 3 s measurement heats the plate at once; the reader reports it within a second, mid-command.
    const lab = readFileSync(LAB, 'utf8')
      .replace('measureTime: 150 ms', 'measureTime: 3 s')
      .replace('323.15 K for 1 s', '323.15 K')
      .replace('then: hold', 'then: abort');
    t = await startTestApp({ mode: 'daemon', dataDir: dir.path });
    const token = createToken(t.app, 'operator');
    const created = await call(`${t.url}/api/campaigns`, {
      method: 'POST',
      token,
      body: { campaign: readFileSync(CAMPAIGN, 'utf8'), lab, labPath: 'aborting-lab.yaml', start: true },
    });
    expect(created).toMatchObject({ status: 201, body: { status: 'running' } });
    const id = created.body.id as string;
    await waitFor('the campaign to be held', async () => (await campaign(t, id)).status === 'held');
    expect(await overheat(t)).toMatchObject({ state: 'tripped', then: 'abort' });
    const db = nativeDatabase(t.app.get(DataSource));
    const row = await waitFor('the running command to end', () => {
      const r = db.prepare('SELECT status, error FROM command ORDER BY created_at LIMIT 1').get() as
        { status: string; error: string | null } | undefined;
      return r && r.status !== 'pending' && r;
    });
    expect(row.status).toBe('failed');
    expect(JSON.parse(row.error ?? '{}')).toMatchObject({
      code: 'INTERLOCK_ABORTED',
      message: expect.stringContaining('interlock overheat'),
    });
    // Not failed: interrupted, and the campaign's recovery (rerun, the default) designed it again for the resume.
    const experiments = await waitFor('the experiment to be interrupted', () => {
      const all = db.prepare('SELECT seq, kind, status, params FROM experiment ORDER BY seq').all() as {
        seq: number;
        kind: string;
        status: string;
        params: string;
      }[];
      return all.some((e) => e.status === 'interrupted') && all;
    });
    expect(experiments.map((e) => [e.seq, e.kind, e.status])).toEqual([
      [1, 'design', 'interrupted'],
      [2, 'rerun', 'designed'],
    ]);
    expect(experiments[1]?.params).toBe(experiments[0]?.params);
  }, 60_000);
});

describe('a campaign held by an interlock, across a restart', () => {
  const dir = tempDir();
  let t: TestApp;

  afterAll(async () => {
    await t.close();
    dir.cleanup();
  });

  it('has its lab connected at boot, so the interlock can be reset and the campaign resumed', async () => {
    // The lab comes with the campaign only (no instruments.labs): after the restart nothing else would connect it.
    t = await startTestApp({ mode: 'daemon', dataDir: dir.path });
    const token = createToken(t.app, 'operator');
    const created = await call(`${t.url}/api/campaigns`, {
      method: 'POST',
      token,
      body: {
        campaign: readFileSync(CAMPAIGN, 'utf8'),
        lab: readFileSync(LAB, 'utf8'),
        labPath: 'lab.yaml',
        start: true,
      },
    });
    expect(created).toMatchObject({ status: 201, body: { status: 'running' } });
    const id = created.body.id as string;
    await waitFor('the campaign to be held', async () => (await campaign(t, id)).status === 'held');
    await t.close();

    t = await startTestApp({ mode: 'daemon', dataDir: dir.path });
    expect(t.app.get(InstrumentRegistry).get('reader')).toBeDefined();
    expect(await overheat(t)).toMatchObject({ state: 'tripped', watched: true });
    await waitFor('the cool plate to be reported', async () => (await overheat(t)).condition === 'clear');
    const reset = await call(`${t.url}/api/interlocks/overheat/reset`, { method: 'POST', token, body: {} });
    expect(reset).toMatchObject({ status: 200, body: { state: 'armed' } });
    const resumed = await call(`${t.url}/api/campaigns/${id}/resume`, { method: 'POST', token });
    expect(resumed).toMatchObject({ status: 200, body: { status: 'running' } });
  }, 60_000);
});

describe('an interlock whose reading is lost', () => {
  const dir = tempDir();
  let t: TestApp;

  afterAll(async () => {
    await t.close();
    dir.cleanup();
  });

  it('trips when the instrument goes away, though the value never crossed the threshold', async () => {
    const file = join(dir.path, 'lab.yaml');
    writeFileSync(file, readFileSync(LAB, 'utf8').replace('323.15 K for 1 s', '80 degC'));
    t = await startTestApp({
      mode: 'daemon',
      dataDir: dir.path,
      env: { LABLOOP_INSTRUMENTS__LABS: JSON.stringify([file]) },
    });
    await waitFor('a reading of the plate', async () => (await overheat(t)).condition === 'clear');
    expect(await overheat(t)).toMatchObject({ state: 'armed' });
    // The simulated reader shuts down: it says it is offline, and its readings become invalid.
    await t.app.get(SimulatorHost).onApplicationShutdown();
    const v = await waitFor('the interlock to trip', async () => {
      const o = await overheat(t);
      return o.state === 'tripped' && o;
    });
    expect(v.detail).toBe('reader.temperature: no valid reading (link lost)');
    const token = createToken(t.app, 'operator');
    const reset = await call(`${t.url}/api/interlocks/overheat/reset`, { method: 'POST', token, body: {} });
    expect(reset).toMatchObject({ status: 409, body: { error: { code: 'INTERLOCK_TRIPPED' } } });
  });
});

describe('a trip journaled just before a crash', () => {
  const dir = tempDir();
  let t: TestApp;

  afterAll(async () => {
    await t.close();
    dir.cleanup();
  });

  it('is latched again at boot and holds the campaign before it is relaunched', async () => {
    const file = join(dir.path, 'lab.yaml');
    writeFileSync(file, readFileSync(LAB, 'utf8').replace('323.15 K for 1 s', '80 degC'));
    const env = { LABLOOP_INSTRUMENTS__LABS: JSON.stringify([file]) };
    t = await startTestApp({ mode: 'daemon', dataDir: dir.path, env });
    const token = createToken(t.app, 'operator');
    const campaignText = readFileSync(CAMPAIGN, 'utf8').replace('lab: interlock-lab.yaml', 'lab: lab.yaml');
    const created = await call(`${t.url}/api/campaigns`, {
      method: 'POST',
      token,
      body: { campaign: campaignText, path: join(dir.path, 'campaign.yaml'), start: true },
    });
    expect(created).toMatchObject({ status: 201, body: { status: 'running' } });
    const id = created.body.id as string;
    await waitFor('an experiment to complete', async () => {
      const c = (await call(`${t.url}/api/campaigns/${id}`)).body as { experiments: { completed: number } };
      return c.experiments.completed > 0;
    });
    await t.close(); // drains; the campaign stays running, to be resumed at the next boot
    // The trip reached the journal, then the process died before it could hold anything.
    const db = new Database(join(dir.path, DATABASE_FILE));
    expect(db.prepare('SELECT status FROM campaign WHERE id = ?').get(id)).toEqual({ status: 'running' });
    db.prepare(
      `INSERT INTO interlock_trip (name, lab, condition, action, detail, tripped_at)
       VALUES ('overheat', 'guarded', 'reader.temperature > 80 degC', 'hold', 'reader.temperature = 81 degC', ?)`,
    ).run(Date.now());
    db.close();

    t = await startTestApp({ mode: 'daemon', dataDir: dir.path, env });
    const sent = spyOnDriver(t);
    expect(await campaign(t, id)).toMatchObject({
      status: 'held',
      reason: 'interlock of lab guarded still tripped at restart',
    });
    expect(await overheat(t)).toMatchObject({ state: 'tripped', detail: 'reader.temperature = 81 degC' });
    await waitFor('the cool plate to be reported', async () => (await overheat(t)).condition === 'clear');
    expect(sent).toEqual([]);
  });
});
