/**
 * Access control on the real daemon: every route the app serves is enumerated from the router, and every one that
 * changes state must refuse a call without a token (401) and with a token lacking the right (403). A route added
 * later by any module is covered by this test without editing it; only the read-only POSTs below are exempt.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { nativeDatabase } from '../../src/store/sqlite-connection.js';
import { call, createToken, revokeToken } from '../helpers/api-token.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';

/** POSTs that change nothing (marked @ReadOnlyCall). Adding one here needs a reason in review. */
const READ_ONLY_POSTS = new Set(['POST /api/protocols/validate']);

interface Route {
  method: string;
  path: string;
}

function routes(app: INestApplication): Route[] {
  const express = app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  return express.router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((m) => m !== '_all')
          .map((m) => ({ method: m.toUpperCase(), path: layer.route!.path }))
      : [],
  );
}

const concrete = (path: string): string => path.replace(/:(\w+)/g, 'x');
const isWrite = (r: Route): boolean => !['GET', 'HEAD', 'OPTIONS'].includes(r.method);

describe('access control', () => {
  const dir = tempDir();
  let t: TestApp;
  let auditor: string;
  let reader: string;

  beforeAll(async () => {
    t = await startTestApp({ mode: 'daemon', dataDir: dir.path });
    auditor = createToken(t.app, 'alice', ['operate']);
    reader = createToken(t.app, 'viewer', ['read']);
  });
  afterAll(async () => {
    await t.close();
    dir.cleanup();
  });

  it('guards every state-changing route: 401 without a token, 403 with one lacking the right', async () => {
    const all = routes(t.app);
    const writes = all.filter(isWrite).filter((r) => !READ_ONLY_POSTS.has(`${r.method} ${r.path}`));
    expect(all.length).toBeGreaterThan(15);
    expect(writes.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'POST /api/campaigns',
        'POST /api/campaigns/:id/pause',
        'POST /api/campaigns/:id/abort',
        'POST /api/interlocks/:name/reset',
      ]),
    );
    for (const r of writes) {
      const anonymous = await call(`${t.url}${concrete(r.path)}`, { method: r.method, body: {} });
      expect({
        route: `${r.method} ${r.path}`,
        status: anonymous.status,
        code: anonymous.body?.error?.code,
      }).toEqual({
        route: `${r.method} ${r.path}`,
        status: 401,
        code: 'UNAUTHORIZED',
      });
      const weak = await call(`${t.url}${concrete(r.path)}`, { method: r.method, body: {}, token: reader });
      expect({ route: `${r.method} ${r.path}`, status: weak.status }).toEqual({
        route: `${r.method} ${r.path}`,
        status: 403,
      });
    }
    for (const r of all.filter((x) => READ_ONLY_POSTS.has(`${x.method} ${x.path}`)))
      expect(
        (await call(`${t.url}${r.path}`, { method: r.method, body: { text: 'kind: lab' } })).status,
      ).toBe(200);
  });

  it('opens reads to loopback clients without a token', async () => {
    for (const path of ['/api/campaigns', '/api/health', '/metrics', '/api/docs/openapi.json', '/'])
      expect({ path, status: (await call(`${t.url}${path}`)).status }).toEqual({ path, status: 200 });
  });

  it('writes who, what, why and the outcome of each state-changing call to the audit log', async () => {
    const created = await call(`${t.url}/api/campaigns`, {
      method: 'POST',
      token: auditor,
      body: {
        campaign: readFileSync('test/fixtures/slow-campaign.yaml', 'utf8'),
        path: 'test/fixtures/slow-campaign.yaml',
      },
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const started = await call(`${t.url}/api/campaigns/${id}/start`, { method: 'POST', token: auditor });
    expect(started.body.status).toBe('running');
    const paused = await call(`${t.url}/api/campaigns/${id}/pause`, {
      method: 'POST',
      token: auditor,
      body: { reason: 'refilling the substrate reservoir' },
    });
    expect(paused.body).toMatchObject({
      status: 'paused',
      reason: 'paused by alice: refilling the substrate reservoir',
    });
    const denied = await call(`${t.url}/api/campaigns/${id}/abort`, { method: 'POST', token: reader });
    expect(denied.status).toBe(403);
    const aborted = await call(`${t.url}/api/campaigns/${id}/abort`, { method: 'POST', token: auditor });
    expect(aborted.body.status).toBe('aborted');
    const illegal = await call(`${t.url}/api/campaigns/${id}/pause`, { method: 'POST', token: auditor });
    expect(illegal).toMatchObject({
      status: 409,
      body: { error: { code: 'ILLEGAL_TRANSITION', field: 'status' } },
    });

    const log = (await call(`${t.url}/api/events/log?last=500`)).body as {
      type: string;
      ts: number;
      data: Record<string, unknown>;
    }[];
    const audit = log.filter((e) => e.type === 'audit.call').map((e) => e.data);
    expect(audit).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: 'alice',
          method: 'POST',
          route: '/api/campaigns',
          status: 201,
          campaignId: id,
        }),
        expect.objectContaining({
          actor: 'alice',
          route: '/api/campaigns/:id/start',
          status: 200,
          target: id,
        }),
        expect.objectContaining({
          actor: 'alice',
          route: '/api/campaigns/:id/pause',
          status: 200,
          reason: 'refilling the substrate reservoir',
          campaignId: id,
        }),
        expect.objectContaining({ actor: 'viewer', route: '/api/campaigns/:id/abort', status: 403 }),
        expect.objectContaining({ actor: 'alice', route: '/api/campaigns/:id/pause', status: 409 }),
      ]),
    );
  });

  it('refuses a revoked token, and stores no token in plain text', async () => {
    const secret = createToken(t.app, 'temp', ['admin']);
    expect((await call(`${t.url}/api/auth/whoami`, { token: secret })).body).toMatchObject({
      name: 'temp',
      scopes: ['admin'],
    });
    revokeToken(t.app, 'temp');
    const refused = await call(`${t.url}/api/campaigns/x/pause`, { method: 'POST', token: secret });
    expect(refused).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    nativeDatabase(t.app.get(DataSource)).pragma('wal_checkpoint(TRUNCATE)');
    const file = readFileSync(join(dir.path, 'labloop.sqlite'));
    for (const s of [secret, auditor, reader]) expect(file.includes(Buffer.from(s.slice(8)))).toBe(false);
  });
});

describe('access control with auth.read: token and a low rate limit', () => {
  const dir = tempDir();
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({
      mode: 'daemon',
      dataDir: dir.path,
      env: { LABLOOP_AUTH__READ: 'token', LABLOOP_AUTH__RATELIMIT__WRITES: '3' },
    });
  });
  afterAll(async () => {
    await t.close();
    dir.cleanup();
  });

  it('closes reads, metrics and the API docs to callers without a token', async () => {
    const token = createToken(t.app, 'viewer', ['read']);
    for (const path of ['/api/campaigns', '/metrics', '/api/docs', '/api/events/log']) {
      expect({ path, status: (await call(`${t.url}${path}`)).status }).toEqual({ path, status: 401 });
      expect({ path, status: (await call(`${t.url}${path}`, { token })).status }).toEqual({
        path,
        status: 200,
      });
    }
  });

  it('answers 429 with Retry-After past the write limit', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 5; i++) {
      const r = await call(`${t.url}/api/campaigns/x/pause`, { method: 'POST' });
      statuses.push(r.status);
      if (r.status === 429) retryAfter = r.headers.get('retry-after');
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});
