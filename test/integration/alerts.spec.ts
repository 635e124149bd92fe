/**
 * Alerts against a local HTTP receiver: a completed campaign and an interlock trip are posted as JSON; a receiver
 * that fails is retried with backoff; a hook nobody listens on never disturbs the daemon.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { AlertService } from '../../src/alerts/alert.service.js';
import { EventBus } from '../../src/events/event-bus.service.js';
import { freePort } from '../helpers/free-port.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: Record<string, unknown>;
}

async function receiver(
  failFirst = 0,
): Promise<{ server: Server; url: string; got: Received[]; hits: () => number }> {
  const got: Received[] = [];
  let hits = 0;
  const server = createServer((req, res) => {
    let text = '';
    req.on('data', (d: Buffer) => (text += d.toString()));
    req.on('end', () => {
      hits++;
      if (hits <= failFirst) {
        res.writeHead(503).end();
        return;
      }
      got.push({
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(text) as Record<string, unknown>,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}/hook/secret-part`, got, hits: () => hits };
}

describe('alerts to webhooks', () => {
  const dir = tempDir();
  let t: TestApp;
  let ok: Awaited<ReturnType<typeof receiver>>;
  let flaky: Awaited<ReturnType<typeof receiver>>;

  beforeAll(async () => {
    ok = await receiver();
    flaky = await receiver(2);
    const dead = await freePort();
    t = await startTestApp({
      mode: 'daemon',
      dataDir: dir.path,
      env: {
        LABLOOP_STARTUP__CAMPAIGNS: 'test/fixtures/fast-campaign.yaml',
        LABLOOP_ALERTS__ENABLED: 'true',
        LABLOOP_ALERTS__BACKOFF: '20 ms',
        LABLOOP_ALERTS__ATTEMPTS: '4',
        LABLOOP_ALERTS__WEBHOOKS: JSON.stringify([
          { url: ok.url, headers: { authorization: 'Bearer hook-secret' } },
          { url: flaky.url, events: ['campaign.completed'] },
          { url: `http://127.0.0.1:${dead}/nobody`, events: ['campaign.completed'] },
        ]),
      },
    });
  });
  afterAll(async () => {
    await t.close();
    ok.server.close();
    flaky.server.close();
    dir.cleanup();
  });

  it('posts a JSON alert when the campaign completes, with the headers configured for the hook', async () => {
    const alert = await waitFor('completion alert', () =>
      ok.got.find((g) => g.body['alert'] === 'campaign.completed'),
    );
    expect(alert.path).toBe('/hook/secret-part');
    expect(alert.headers['authorization']).toBe('Bearer hook-secret');
    expect(alert.headers['content-type']).toBe('application/json');
    expect(alert.body).toMatchObject({
      severity: 'info',
      summary: expect.stringContaining('Campaign fast-enzyme completed'),
      text: expect.stringContaining('[labloop info]'),
      campaign: { name: 'fast-enzyme', id: expect.any(String) },
      time: expect.any(String),
      daemon: { dashboard: expect.stringContaining('#/campaigns/') },
    });
  });

  it('retries a failing receiver with backoff until it answers', async () => {
    await waitFor('flaky receiver got the alert', () => flaky.got.length > 0 || undefined);
    expect(flaky.hits()).toBe(3);
    expect(flaky.got[0]!.body['alert']).toBe('campaign.completed');
  });

  it('delivers an interlock trip, and a dead hook never disturbs the daemon', async () => {
    t.app
      .get(EventBus)
      .emit('interlock.tripped', { interlock: 'door', instrument: 'reader', detail: 'door opened' });
    const trip = await waitFor('interlock alert', () =>
      ok.got.find((g) => g.body['alert'] === 'interlock.tripped'),
    );
    expect(trip.body).toMatchObject({ severity: 'critical', instrument: 'reader' });
    await t.app.get(AlertService).settled();
    const health = (await (await fetch(`${t.url}/api/health`)).json()) as { status: string };
    expect(health.status).toBe('ok');
    const metrics = await (await fetch(`${t.url}/metrics`)).text();
    expect(metrics).toContain('labloop_alerts_total{alert="campaign.completed",outcome="failed"} 1');
    expect(metrics).toContain('labloop_alerts_total{alert="campaign.completed",outcome="delivered"} 2');
  });
});
