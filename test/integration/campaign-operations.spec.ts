/**
 * Steering and handing on a campaign through the API of a real daemon: create from posted YAML, pause, hold,
 * resume, abort; the event stream with replay; exports (CSV, JSON, RO-Crate) and the report; metrics.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { call, createToken } from '../helpers/api-token.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

interface StreamedEvent {
  id?: number;
  type: string;
  data: Record<string, unknown>;
}

const SLOW = readFileSync('test/fixtures/slow-campaign.yaml', 'utf8');

/** Reads `count` messages from the event stream, then closes it. */
async function readEvents(
  url: string,
  count: number,
  headers: Record<string, string> = {},
): Promise<StreamedEvent[]> {
  const ctl = new AbortController();
  const res = await fetch(url, { headers, signal: ctl.signal });
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  const out: StreamedEvent[] = [];
  while (out.length < count) {
    const chunk = (await reader.read()) as { done: boolean; value?: Uint8Array };
    if (chunk.done || !chunk.value) break;
    buf += dec.decode(chunk.value, { stream: true });
    let i: number;
    while ((i = buf.indexOf('\n\n')) >= 0 && out.length < count) {
      const block = buf.slice(0, i);
      buf = buf.slice(i + 2);
      const data = block.split('\n').find((l) => l.startsWith('data: '));
      if (data) out.push(JSON.parse(data.slice(6)) as StreamedEvent);
    }
  }
  ctl.abort();
  return out;
}

describe('campaign operations over the API', () => {
  const dir = tempDir();
  let t: TestApp;
  let token: string;
  let id: string;

  beforeAll(async () => {
    t = await startTestApp({ mode: 'daemon', dataDir: dir.path });
    token = createToken(t.app, 'operator');
  });
  afterAll(async () => {
    await t.close();
    dir.cleanup();
  });

  it('refuses a broken posted campaign with located problems and stores nothing', async () => {
    const bad = SLOW.replace('goal: maximize', 'goal: maximise');
    const r = await call(`${t.url}/api/campaigns`, {
      method: 'POST',
      token,
      body: { campaign: bad, path: 'test/fixtures/slow-campaign.yaml' },
    });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'DOCUMENT_INVALID', field: 'objectives.rate.goal' });
    expect(r.body.error.problems[0]).toMatchObject({
      file: 'test/fixtures/slow-campaign.yaml',
      line: expect.any(Number),
    });
    const missing = await call(`${t.url}/api/campaigns`, { method: 'POST', token, body: { path: 'x.yaml' } });
    expect(missing).toMatchObject({
      status: 400,
      body: { error: { code: 'REQUEST_INVALID', field: 'campaign' } },
    });
    expect((await call(`${t.url}/api/campaigns`)).body).toEqual([]);
  });

  it('validates posted files as values: ok, or problems with file, line and column', async () => {
    const ok = await call(`${t.url}/api/protocols/validate`, {
      method: 'POST',
      body: { text: SLOW, path: 'test/fixtures/slow-campaign.yaml' },
    });
    expect(ok.body).toEqual({ ok: true, kind: 'campaign', name: 'slow-enzyme', problems: [] });
    const lab = readFileSync('test/fixtures/slow-lab.yaml', 'utf8');
    const posted = await call(`${t.url}/api/protocols/validate`, {
      method: 'POST',
      body: { text: SLOW.replace('lab: slow-lab.yaml', 'lab: elsewhere.yaml'), lab },
    });
    expect(posted.body.ok).toBe(true);
    const bad = await call(`${t.url}/api/protocols/validate`, {
      method: 'POST',
      body: { text: lab.replace('max: 70', 'max: hot') },
    });
    expect(bad.body.ok).toBe(false);
    expect(bad.body.problems[0]).toMatchObject({
      path: 'instruments.reader.limits.temperature.max',
      line: expect.any(Number),
    });
    const shipped = await call(`${t.url}/api/protocols`);
    expect(shipped.body).toEqual(
      expect.arrayContaining([expect.objectContaining({ file: 'demo.yaml', ok: true, kind: 'campaign' })]),
    );
  });

  it('creates, starts, pauses, holds, resumes a campaign; the loop stops and restarts with it', async () => {
    const created = await call(`${t.url}/api/campaigns`, {
      method: 'POST',
      token,
      body: { campaign: SLOW, path: 'test/fixtures/slow-campaign.yaml', start: true },
    });
    expect(created).toMatchObject({ status: 201, body: { name: 'slow-enzyme', status: 'running' } });
    id = created.body.id;
    await waitFor(
      'two experiments done',
      async () => (await call(`${t.url}/api/campaigns/${id}`)).body.experiments.completed >= 2,
    );
    const paused = await call(`${t.url}/api/campaigns/${id}/pause`, {
      method: 'POST',
      token,
      body: { reason: 'check' },
    });
    expect(paused.body.status).toBe('paused');
    const stopped = await waitFor('loop stopped', async () => {
      const c = (await call(`${t.url}/api/campaigns/${id}`)).body as {
        active: boolean;
        experiments: { completed: number };
      };
      return c.active === false ? c : undefined;
    });
    await new Promise((r) => setTimeout(r, 400));
    const still = (await call(`${t.url}/api/campaigns/${id}`)).body;
    expect(still.experiments.completed).toBe(stopped.experiments.completed);
    expect(still.experiments.running).toBe(0);

    expect((await call(`${t.url}/api/campaigns/${id}/hold`, { method: 'POST', token })).body.status).toBe(
      'held',
    );
    const start = await call(`${t.url}/api/campaigns/${id}/start`, { method: 'POST', token });
    expect(start).toMatchObject({ status: 409, body: { error: { code: 'ILLEGAL_TRANSITION' } } });
    const resumed = await call(`${t.url}/api/campaigns/${id}/resume`, {
      method: 'POST',
      token,
      body: { reason: 'looked fine' },
    });
    expect(resumed.body).toMatchObject({
      status: 'running',
      active: true,
      reason: 'resumed by operator: looked fine',
    });
    await waitFor(
      'progress after resume',
      async () =>
        (await call(`${t.url}/api/campaigns/${id}`)).body.experiments.completed > still.experiments.completed,
    );
  });

  it('streams events with ids and replays exactly what a reconnecting client missed', async () => {
    const first = await readEvents(`${t.url}/api/events?since=0`, 12);
    const ids = first.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => a! - b!));
    expect(first[0]!.id).toBe(1);
    expect(first.map((e) => e.type)).toContain('campaign.created');
    const last = ids[5]!;
    const replay = await readEvents(`${t.url}/api/events`, 6, { 'last-event-id': String(last) });
    expect(replay.map((e) => e.id)).toEqual(ids.slice(6, 12));
    const mine = await readEvents(`${t.url}/api/events?since=0&campaign=${id}`, 20);
    for (const e of mine) if (e.data.campaignId) expect(e.data.campaignId).toBe(id);
  });

  it('aborts: running commands are stopped and unfinished experiments end interrupted or failed', async () => {
    const r = await call(`${t.url}/api/campaigns/${id}/abort`, {
      method: 'POST',
      token,
      body: { reason: 'enough' },
    });
    expect(r.body.status).toBe('aborted');
    const experiments = await waitFor('no unfinished experiment', async () => {
      const list = (await call(`${t.url}/api/campaigns/${id}/experiments`)).body as { status: string }[];
      return list.every((e) => ['completed', 'failed', 'interrupted'].includes(e.status)) ? list : undefined;
    });
    expect(experiments.length).toBeGreaterThan(2);
    expect((await call(`${t.url}/api/campaigns/${id}/resume`, { method: 'POST', token })).status).toBe(409);
  });

  it('serves the best so far, one experiment with raw results, the timeline and labs', async () => {
    const best = (await call(`${t.url}/api/campaigns/${id}/best`)).body;
    expect(best).toMatchObject({ objective: 'rate', goal: 'maximize' });
    const curve = best.curve as { best: number; value: number }[];
    expect(curve.length).toBeGreaterThan(1);
    for (let i = 1; i < curve.length; i++) expect(curve[i]!.best).toBeGreaterThanOrEqual(curve[i - 1]!.best);
    expect(curve[curve.length - 1]!.best).toBe(Math.max(...curve.map((p) => p.value)));
    const one = (await call(`${t.url}/api/campaigns/${id}/experiments/1`)).body;
    expect(one.commands[0]).toMatchObject({
      instrument: 'reader',
      action: 'measure',
      status: 'done',
      result: { rate: expect.any(Number) },
    });
    const timeline = (await call(`${t.url}/api/campaigns/${id}/timeline`)).body;
    expect(timeline[0]).toMatchObject({ instrument: 'reader', seq: 1, status: 'done' });
    const labs = (await call(`${t.url}/api/labs`)).body;
    expect(labs[0]).toMatchObject({
      name: 'slow',
      instruments: [{ id: 'reader', limits: { temperature: { min: 20, max: 70 } } }],
    });
    const pareto = (await call(`${t.url}/api/campaigns/${id}/pareto`)).body;
    expect(pareto.front).toHaveLength(1);
    expect(pareto.front[0].values.rate.mean).toBe(best.best.values.rate.mean);
  });

  it('exports CSV and JSON that agree with the store', async () => {
    const experiments = (await call(`${t.url}/api/campaigns/${id}/experiments`)).body as {
      seq: number;
      observation: { rate: { mean: number } } | null;
    }[];
    const csv = await fetch(`${t.url}/api/campaigns/${id}/export?format=csv`);
    expect(csv.headers.get('content-disposition')).toContain('slow-enzyme.csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe(
      'seq,experiment_id,status,temperature,ph,substrate,rate,rate_sem,started_at,finished_at,duration_s,commands,resends,reason',
    );
    expect(lines).toHaveLength(experiments.length + 1);
    const firstDone = experiments.find((e) => e.observation)!;
    const row = lines.find((l) => l.startsWith(`${firstDone.seq},`))!.split(',');
    expect(Number(row[6])).toBe(firstDone.observation!.rate.mean);
    const json = (await call(`${t.url}/api/campaigns/${id}/export?format=json`)).body;
    expect(json).toMatchObject({
      format: 'labloop-campaign',
      formatVersion: 1,
      campaign: { id, status: 'aborted' },
    });
    expect(json.experiments[0].commands[0].result.rate).toEqual(expect.any(Number));
    const bad = await call(`${t.url}/api/campaigns/${id}/export?format=xls`);
    expect(bad).toMatchObject({ status: 400, body: { error: { code: 'REQUEST_INVALID', field: 'format' } } });
  });

  it('exports an RO-Crate 1.1 archive whose metadata lists every file with its size and SHA-256', async () => {
    const res = await fetch(`${t.url}/api/campaigns/${id}/export?format=ro-crate`);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const meta = JSON.parse(new TextDecoder().decode(files['ro-crate-metadata.json'])) as {
      '@context': unknown;
      '@graph': Record<string, unknown>[];
    };
    expect(meta['@context']).toContainEqual('https://w3id.org/ro/crate/1.1/context');
    const graph = new Map(meta['@graph'].map((e) => [e['@id'], e]));
    expect(graph.get('ro-crate-metadata.json')).toMatchObject({
      conformsTo: { '@id': 'https://w3id.org/ro/crate/1.1' },
      about: { '@id': './' },
    });
    const root = graph.get('./')!;
    expect(root).toMatchObject({
      '@type': 'Dataset',
      name: expect.any(String),
      description: expect.any(String),
      datePublished: expect.any(String),
    });
    const parts = (root.hasPart as { '@id': string }[]).map((p) => p['@id']);
    expect(parts).toEqual(
      expect.arrayContaining([
        'campaign/slow-campaign.yaml',
        'lab/slow-lab.yaml',
        'data/experiments.csv',
        'data/campaign.json',
        'provenance.json',
        'report.html',
      ]),
    );
    for (const p of parts) {
      const bytes = files[p]!;
      expect(graph.get(p)).toMatchObject({
        '@type': 'File',
        contentSize: String(bytes.byteLength),
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
    }
    expect(new TextDecoder().decode(files['campaign/slow-campaign.yaml'])).toBe(SLOW);
    const provenance = JSON.parse(new TextDecoder().decode(files['provenance.json']));
    expect(provenance).toMatchObject({
      seed: 42,
      strategy: { name: 'random' },
      campaign: { sha256: createHash('sha256').update(SLOW).digest('hex') },
    });
    expect(graph.get(`#run-${id}`)).toMatchObject({
      '@type': 'CreateAction',
      instrument: { '@id': '#labloop' },
      actionStatus: 'http://schema.org/FailedActionStatus',
    });
  });

  it('writes a self-contained report with convergence and parameter-effect plots', async () => {
    const html = await (await fetch(`${t.url}/api/campaigns/${id}/report`)).text();
    expect(html).toContain('<h2>Methods</h2>');
    expect(html).toContain('<h2>Failures and how they were handled</h2>');
    expect(html).toContain('paused by operator: check');
    expect((html.match(/<svg /g) ?? []).length).toBe(4);
    expect(html).not.toMatch(/(src|href)="https?:/);
    const bundle = (await call(`${t.url}/api/campaigns/${id}/report?format=bundle`)).body;
    expect(Object.keys(bundle.figures as object).sort()).toEqual([
      'convergence',
      'effect-ph',
      'effect-substrate',
      'effect-temperature',
    ]);
    expect(bundle.markdown).toContain('![Best rate so far');
  });

  it('serves Prometheus metrics, every name prefixed labloop_', async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const names = new Set(
      text
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(/[{ ]/)[0]!),
    );
    for (const n of names) expect(n).toMatch(/^labloop_/);
    expect(text).toContain('labloop_experiments{campaign="slow-enzyme",status="completed"}');
    expect(text).toMatch(
      /labloop_step_duration_seconds_count\{instrument="reader",action="measure",status="done"\} [1-9]/,
    );
    expect(text).toMatch(
      /labloop_command_duration_seconds_count\{instrument="reader",action="measure",status="done"\} [1-9]/,
    );
    expect(text).toMatch(/labloop_strategy_ask_seconds_count [1-9]/);
    expect(text).toContain('labloop_instrument_link_up{instrument="reader"} 1');
    expect(text).toContain('labloop_nodejs_eventloop_lag_seconds');
    expect(text).toContain('labloop_campaigns{status="aborted"} 1');
  });
});
