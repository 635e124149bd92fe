/**
 * The operator's commands as a user runs them, against a daemon started with `labloop start`: tokens, status,
 * steering, watch, export and report.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../helpers/free-port.js';
import { labloop, type LabloopProcess } from '../helpers/labloop-process.js';
import { tempDir } from '../helpers/temp-dir.js';
import { waitFor } from '../helpers/wait-for.js';

async function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  const p = labloop(args, env);
  const { code } = await p.exited;
  return { code, out: p.stdout(), err: p.stderr() };
}

describe('operator CLI against a running daemon', () => {
  const dir = tempDir();
  let daemon: LabloopProcess;
  let url: string;
  let token: string;
  let created: { code: number | null; out: string; err: string };

  beforeAll(async () => {
    // The token first, on a fresh data folder (it runs the migrations): the daemon then finds it there.
    created = await run(['token', 'create', 'ops', '--data-dir', dir.path]);
    token = created.out.trim();
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    daemon = labloop(['start', '--data-dir', dir.path, '--port', String(port)], {
      LABLOOP_MQTT__EMBEDDED__PORT: '0',
      LABLOOP_STARTUP__CAMPAIGNS: 'test/fixtures/steady-campaign.yaml',
    });
    await waitFor(
      'daemon listening',
      () => daemon.stdout().includes('dashboard on http://') || undefined,
      30_000,
    );
  });
  afterAll(async () => {
    daemon.child.kill('SIGTERM');
    await daemon.exited;
    dir.cleanup();
  });

  it('creates a token, printed once on stdout', async () => {
    const r = created;
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^labloop_[A-Za-z0-9_-]{43}\n$/);
    expect(r.err).toContain('shown only this once');
    const list = await run(['token', 'list', '--data-dir', dir.path]);
    expect(list.out).toMatch(/ops\s+operate\s/);
    expect(list.out).not.toContain(token);
  });

  it('steers a campaign only with a token, and says why not without one', async () => {
    const refused = await run(['campaign', 'pause', 'steady-enzyme', '--url', url]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('needs an API token');
    const paused = await run(['campaign', 'pause', 'steady-enzyme', '--reason', 'coffee'], {
      LABLOOP_URL: url,
      LABLOOP_TOKEN: token,
    });
    expect(paused).toMatchObject({
      code: 0,
      out: expect.stringMatching(/steady-enzyme \(\w{8}\): running → paused/),
    });
    const resumed = await run(['campaign', 'resume', 'steady-enzyme'], {
      LABLOOP_URL: url,
      LABLOOP_TOKEN: token,
    });
    expect(resumed.out).toMatch(/paused → running/);
    const unknown = await run(['campaign', 'abort', 'nope'], { LABLOOP_URL: url, LABLOOP_TOKEN: token });
    expect(unknown).toMatchObject({ code: 1, err: expect.stringContaining('no campaign nope') });
  });

  it('shows the daemon status and the campaign', async () => {
    const r = await run(['status', '--url', url]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/daemon http:\/\/127\.0\.0\.1:\d+: ok/);
    expect(r.out).toMatch(/steady-enzyme\s+\w{8} (running|completed)/);
    const interlocks = await run(['interlock', 'list', '--url', url]);
    expect(interlocks).toMatchObject({ code: 0, out: 'no interlocks (no lab with interlocks is loaded)\n' });
  });

  it('watches the campaign to its end and exits 0 with the best result', async () => {
    const r = await run(['watch', 'steady-enzyme'], { LABLOOP_URL: url });
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/campaign steady-enzyme: completed .*best rate [\d.]+ \(#\d+\)/);
    expect(r.err).toContain('150/150');
  }, 90_000);

  it('exports CSV and an RO-Crate, and writes the report', async () => {
    const csv = join(dir.path, 'out.csv');
    expect((await run(['export', 'steady-enzyme', '--format', 'csv', '--out', csv, '--url', url])).code).toBe(
      0,
    );
    expect(readFileSync(csv, 'utf8').trim().split('\r\n')).toHaveLength(151);
    const crate = join(dir.path, 'out.zip');
    expect(
      (await run(['export', 'steady-enzyme', '--format', 'ro-crate', '--out', crate, '--url', url])).code,
    ).toBe(0);
    expect(readFileSync(crate).subarray(0, 2).toString()).toBe('PK');
    const bad = await run(['export', 'steady-enzyme', '--format', 'xls', '--url', url]);
    expect(bad).toMatchObject({ code: 1, err: expect.stringContaining('expected csv, json or ro-crate') });
    const out = join(dir.path, 'report');
    const r = await run(['report', 'steady-enzyme', '--out', out, '--url', url]);
    expect(r.code).toBe(0);
    for (const f of ['report.html', 'report.md', 'figures/convergence.svg'])
      expect(existsSync(join(out, f))).toBe(true);
    expect(readFileSync(join(out, 'report.md'), 'utf8')).toContain('## Failures and how they were handled');
  });

  it('revokes a token; the daemon refuses it at once', async () => {
    expect((await run(['token', 'revoke', 'ops', '--data-dir', dir.path])).code).toBe(0);
    const r = await run(['campaign', 'pause', 'steady-enzyme'], { LABLOOP_URL: url, LABLOOP_TOKEN: token });
    expect(r).toMatchObject({ code: 1, err: expect.stringContaining('unknown or revoked') });
  });

  it('says plainly when no daemon answers', async () => {
    const port = await freePort();
    const r = await run(['status', '--url', `http://127.0.0.1:${port}`]);
    expect(r).toMatchObject({ code: 3, err: expect.stringContaining('no labloop daemon answers') });
  });
});
