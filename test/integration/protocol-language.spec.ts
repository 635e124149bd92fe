/**
 * The protocol language on the real stack (daemon mode: HTTP API, SQLite file, embedded broker, simulated reader):
 * a manual step confirmed over the API — across a restart while it waits —, a wait on a live reading, replicates in
 * a repeat, a read into a measurement, the mean analyzer; and a failure policy that holds the campaign.
 */
import { createToken } from '../helpers/api-token.js';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CampaignRunner } from '../../src/campaign/campaign-runner.service.js';
import { CampaignService } from '../../src/campaign/campaign.service.js';
import { loadCampaignFile } from '../../src/protocol/document.loader.js';
import { RecordsRepository } from '../../src/store/records.repository.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

const FAST = { LABLOOP_CLOCK__TIMESCALE: '10' };

interface Waiting {
  experimentId: string;
  key: string;
  prompt: string;
  attempts: number;
}

async function waiting(t: TestApp, campaignId: string): Promise<Waiting[]> {
  const res = await fetch(`${t.url}/api/campaigns/${campaignId}/manual-steps`);
  return (await res.json()) as Waiting[];
}

function confirm(t: TestApp, experimentId: string, key: string, body: object): Promise<Response> {
  return fetch(`${t.url}/api/experiments/${experimentId}/steps/${encodeURIComponent(key)}/confirm`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${createToken(t.app, `operator-${Math.random()}`)}`,
    },
    body: JSON.stringify(body),
  });
}

describe('protocol language on the real stack', () => {
  it('runs manual steps, waits, repeats and reads; a waiting manual step survives a restart', async () => {
    const dir = tempDir();
    let t = await startTestApp({ mode: 'daemon', dataDir: dir.path, env: FAST });
    try {
      const c = t.app
        .get(CampaignService)
        .create(loadCampaignFile('test/fixtures/full-language-campaign.yaml'));
      await t.app.get(CampaignService).start(c.id);
      const [first] = await waitFor('a manual step to wait', async () => {
        const w = await waiting(t, c.id);
        return w.length > 0 ? w : undefined;
      });
      expect(first).toMatchObject({ key: 'load', attempts: 1 });
      expect(first?.prompt).toMatch(/^Load a plate for 3\d(\.\d+)? degC$/);

      // The daemon stops while the operator is away; the step still waits after the restart.
      await t.close();
      t = await startTestApp({ mode: 'daemon', dataDir: dir.path, env: FAST });
      const again = await waitFor('the step to wait again', async () => {
        const w = await waiting(t, c.id);
        return w.length > 0 ? w : undefined;
      });
      expect(again).toEqual([
        expect.objectContaining({ experimentId: first?.experimentId, key: 'load', attempts: 1 }),
      ]);
      expect(
        (await confirm(t, first?.experimentId ?? '', 'load', { by: 'ana', note: 'plate P1' })).status,
      ).toBe(200);

      // The second experiment asks too; a step that does not wait cannot be confirmed.
      const second = await waitFor('the second experiment to wait', async () => {
        const w = (await waiting(t, c.id)).filter((x) => x.experimentId !== first?.experimentId);
        return w.length > 0 ? w[0] : undefined;
      });
      const twice = await confirm(t, first?.experimentId ?? '', 'load', {});
      expect(twice.status).toBe(409);
      expect((await confirm(t, second.experimentId, 'load', { ok: 'yes' })).status).toBe(400);
      expect((await confirm(t, second.experimentId, 'load', {})).status).toBe(200);

      const end = await t.app.get(CampaignRunner).whenStopped(c.id);
      expect(end?.status).toBe('completed');
      const records = t.app.get(RecordsRepository);
      for (const e of records.experiments(c.id)) {
        expect(e.status).toBe('completed');
        const steps = new Map(records.steps(e.id).map((s) => [s.key, s]));
        expect([...steps.keys()].sort()).toEqual([
          '#3',
          '#5',
          'blank',
          'load',
          'reps',
          'reps[1]/read',
          'reps[2]/read',
        ]);
        expect([...steps.values()].every((s) => s.status === 'done')).toBe(true);
        expect(steps.get('reps')?.result).toEqual({ items: [1, 2] });
        const chamber = (steps.get('#5')?.result as { values: { value: number } }).values.value;
        expect(chamber).toBeGreaterThan(29);
        // One command per action step, each sent once; the blank carried 0 mM.
        const commands = records.commands(e.id);
        expect(commands.map((x) => [x.step, x.status, x.sends])).toEqual([
          ['blank', 'done', 1],
          ['reps[1]/read', 'done', 1],
          ['reps[2]/read', 'done', 1],
        ]);
        expect(commands[0]?.params['substrate']).toBe(0);
        const blank = commands[0]?.result?.['rate'] as number;
        const reads = commands.slice(1).map((x) => (x.result?.['rate'] as number) - blank);
        const mean = (reads[0]! + reads[1]!) / 2;
        const obs = records.observation(e.id)?.values['rate'];
        expect(obs?.mean).toBeCloseTo(mean, 9);
        expect(obs?.sem).toBeCloseTo(Math.abs(reads[0]! - reads[1]!) / 2, 9);
      }
      const load = records.steps(first?.experimentId ?? '').find((s) => s.key === 'load');
      expect(load?.result).toMatchObject({ values: { by: 'ana', note: 'plate P1' } });

      // Provenance: the experiment resolves to the exact campaign and lab text it ran.
      const e = (await (await fetch(`${t.url}/api/experiments/${first?.experimentId}`)).json()) as {
        documents: { campaign: { hash: string }; lab: { hash: string }; protocol: null };
        steps: { key: string }[];
      };
      expect(e.documents.protocol).toBeNull();
      expect(e.steps.map((s) => s.key)).toContain('reps[2]/read');
      const text = async (hash: string): Promise<string> =>
        ((await (await fetch(`${t.url}/api/documents/${hash}`)).json()) as { text: string }).text;
      expect(await text(e.documents.campaign.hash)).toBe(
        readFileSync('test/fixtures/full-language-campaign.yaml', 'utf8'),
      );
      expect(await text(e.documents.lab.hash)).toBe(readFileSync('test/fixtures/fast-lab.yaml', 'utf8'));
    } finally {
      await t.close();
      dir.cleanup();
    }
  });

  it('holds the campaign when a step with the hold policy fails, and keeps the experiment for a resume', async () => {
    const dir = tempDir();
    const t = await startTestApp({ mode: 'run', dataDir: dir.path, env: FAST });
    try {
      const c = t.app.get(CampaignService).create(loadCampaignFile('test/fixtures/hold-campaign.yaml'));
      await t.app.get(CampaignService).start(c.id);
      const end = await t.app.get(CampaignRunner).whenStopped(c.id);
      expect(end?.status).toBe('held');
      const records = t.app.get(RecordsRepository);
      expect(records.campaign(c.id)).toMatchObject({
        status: 'held',
        reason: expect.stringMatching(/^step hot \(reader\.measure\) failed after 2 attempts: /),
      });
      const [e] = records.experiments(c.id);
      expect(e?.status).toBe('running');
      expect(records.steps(e?.id ?? '')).toEqual([
        expect.objectContaining({ key: 'hot', status: 'held', attempts: 2 }),
      ]);
      expect(records.commands(e?.id ?? '').map((x) => x.status)).toEqual(['timeout', 'timeout']);
    } finally {
      await t.close();
      dir.cleanup();
    }
  });

  it('stores a protocol file with its campaign and runs that text, whatever the file says later', async () => {
    const dir = tempDir();
    const files = tempDir();
    const t = await startTestApp({ mode: 'run', dataDir: dir.path, env: FAST });
    try {
      for (const f of ['protocol-file-campaign.yaml', 'assay-protocol.yaml', 'fast-lab.yaml'])
        copyFileSync(join('test/fixtures', f), join(files.path, f));
      const doc = loadCampaignFile(join(files.path, 'protocol-file-campaign.yaml'));
      const c = t.app.get(CampaignService).create(doc);
      const records = t.app.get(RecordsRepository);
      const stored = records.campaign(c.id);
      expect(stored?.protocolHash).toMatch(/^[0-9a-f]{64}$/);
      expect(records.document(stored?.protocolHash ?? '')).toBe(
        readFileSync('test/fixtures/assay-protocol.yaml', 'utf8'),
      );
      // The file changes on disk after the campaign was created: the campaign runs what it was created with.
      writeFileSync(
        join(files.path, 'assay-protocol.yaml'),
        'kind: protocol\nversion: 1\nname: changed\nsteps: []\n',
      );
      await t.app.get(CampaignService).start(c.id);
      expect((await t.app.get(CampaignRunner).whenStopped(c.id))?.status).toBe('completed');
      expect(records.experiments(c.id).map((e) => records.commands(e.id).map((x) => x.step))).toEqual([
        ['read'],
        ['read'],
        ['read'],
      ]);
    } finally {
      await t.close();
      dir.cleanup();
      files.cleanup();
    }
  });
});
