/** The HTTP API of a daemon booted for real, with the fast campaign as its startup campaign. */
import { DataSource } from 'typeorm';
import { nativeDatabase } from '../../src/store/sqlite-connection.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

async function getJson(url: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(url);
  const body: unknown = await res.json();
  return { status: res.status, body };
}

interface CampaignJson {
  id: string;
  name: string;
  status: string;
  experiments: Record<string, number>;
  best: { experimentId: string; params: Record<string, number>; values: { rate: { mean: number } } } | null;
}

describe('HTTP API (daemon mode)', () => {
  const dir = tempDir();
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      mode: 'daemon',
      dataDir: dir.path,
      env: { LABLOOP_STARTUP__CAMPAIGNS: 'test/fixtures/fast-campaign.yaml' },
    });
  });
  afterAll(async () => {
    await t.close();
    dir.cleanup();
  });

  it('lists the startup campaign, which completes with its best observation', async () => {
    const done = await waitFor('campaign completed', async () => {
      const { body } = await getJson(`${t.url}/api/campaigns`);
      const list = body as CampaignJson[];
      return list[0]?.status === 'completed' ? list : undefined;
    });
    expect(done).toHaveLength(1);
    const [c] = done;
    expect(c).toMatchObject({
      name: 'fast-enzyme',
      status: 'completed',
      experiments: { designed: 0, running: 0, analyzing: 0, completed: 8, failed: 0, interrupted: 0 },
    });
    expect(Object.keys(c!.best!.params).sort()).toEqual(['ph', 'substrate', 'temperature']);
    expect(typeof c!.best!.values.rate.mean).toBe('number');
  });

  it("returns a campaign's experiments with parameters, status and observation", async () => {
    const { body } = await getJson(`${t.url}/api/campaigns`);
    const [c] = body as CampaignJson[];
    const { status, body: experiments } = await getJson(`${t.url}/api/campaigns/${c!.id}/experiments`);
    expect(status).toBe(200);
    expect(experiments).toHaveLength(8);
    expect((experiments as { seq: number; status: string; observation: unknown }[])[0]).toMatchObject({
      seq: 1,
      status: 'completed',
      observation: { rate: { mean: expect.any(Number) } },
    });
  });

  it('answers unknown ids with a JSON error naming the code and field', async () => {
    const { status, body } = await getJson(`${t.url}/api/campaigns/nope/experiments`);
    expect(status).toBe(404);
    expect(body).toEqual({ error: { code: 'NOT_FOUND', message: 'no campaign nope', field: 'id' } });
  });

  it('reports health with every component', async () => {
    const { status, body } = await getJson(`${t.url}/api/health`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      status: 'ok',
      components: {
        database: { status: 'up' },
        broker: { status: 'up', embedded: true },
        instruments: { reader: { status: 'up', online: true } },
      },
    });
  });

  it('answers 503 once the database is unusable, and still answers', async () => {
    nativeDatabase(t.app.get(DataSource)).close();
    const { status, body } = await getJson(`${t.url}/api/health`);
    expect(status).toBe(503);
    expect(body).toMatchObject({ status: 'down', components: { database: { status: 'down' } } });
  });
});
