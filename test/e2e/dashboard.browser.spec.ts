/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core): during a simulated campaign the
 * chart and the experiments table update live; an operator signs in with a token and pauses the campaign. Every
 * request stays on the daemon (no CDN). The screenshot lands in test-results/.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { call, createToken } from '../helpers/api-token.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

function requireChromium(): void {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium) to run the browser test`,
    );
}

async function openBrowser(
  profileDir: string,
): Promise<{ context: BrowserContext; page: Page; requests: string[]; pageErrors: string[] }> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1400, height: 1000 },
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const requests: string[] = [];
  const pageErrors: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('pageerror', (e) => pageErrors.push(e.message));
  return { context, page, requests, pageErrors };
}

interface Dashboard {
  t: TestApp;
  page: Page;
  requests: string[];
  pageErrors: string[];
}

/** A daemon (started with `env`) and a chromium on its dashboard, for the tests of one describe block. */
function dashboardOnDaemon(env: Record<string, string>): Dashboard {
  const dir = tempDir();
  const profile = tempDir('labloop-chromium-');
  const d = {} as Dashboard;
  let context: BrowserContext | undefined;
  beforeAll(async () => {
    requireChromium();
    d.t = await startTestApp({ mode: 'daemon', dataDir: dir.path, env });
    const browser = await openBrowser(profile.path);
    context = browser.context;
    Object.assign(d, { page: browser.page, requests: browser.requests, pageErrors: browser.pageErrors });
  });
  afterAll(async () => {
    await context?.close();
    await d.t?.close();
    dir.cleanup();
    profile.cleanup();
  });
  return d;
}

describe('dashboard in chromium', () => {
  const d = dashboardOnDaemon({ LABLOOP_STARTUP__CAMPAIGNS: 'test/fixtures/slow-campaign.yaml' });

  it('shows the running campaign, updates chart and table live, and pauses with a token', async () => {
    const { t, page } = d;
    await page.goto(`${t.url}/`);
    await page.locator('#campaign-name', { hasText: 'slow-enzyme' }).waitFor();
    const rows = () => page.locator('#experiments tbody tr').count();
    // Functions run in the page (strings would be eval, which the dashboard's CSP forbids); typed without the DOM.
    const points = () =>
      page.evaluate(() => {
        const g = globalThis as unknown as {
          document: { getElementById(id: string): unknown };
          Chart: { getChart(c: unknown): { data: { datasets: { data: unknown[] }[] } } | undefined };
        };
        return g.Chart.getChart(g.document.getElementById('chart-best'))?.data.datasets[0]?.data.length ?? 0;
      });
    await page.locator('#experiments tbody tr').nth(1).waitFor({ timeout: 20_000 });
    const rowsBefore = await rows();
    const pointsBefore = await points();
    // No reload: the live event stream alone must bring the new experiments in.
    await page
      .locator('#experiments tbody tr')
      .nth(rowsBefore + 1)
      .waitFor({ timeout: 20_000 });
    expect(await points()).toBeGreaterThan(pointsBefore);
    expect(await page.locator('#live').textContent()).toBe('live');
    expect(await page.locator('#btn-pause').count()).toBe(0);

    const token = createToken(t.app, 'night-shift');
    await page.fill('#token-input', token);
    await page.click('#token-form button');
    await page.waitForSelector('#btn-pause:not([disabled])');
    expect(await page.locator('#who').textContent()).toContain('signed in as night-shift');
    await page.fill('#control-reason', 'checking the plate');
    await page.click('#btn-pause');
    await page.locator('#campaign-status', { hasText: 'paused' }).waitFor({ timeout: 10_000 });
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: join('test-results', 'dashboard.png'), fullPage: true });

    const campaigns = (await call(`${t.url}/api/campaigns`)).body as { status: string; reason: string }[];
    expect(campaigns[0]).toMatchObject({
      status: 'paused',
      reason: 'paused by night-shift: checking the plate',
    });
    await page.waitForSelector('#btn-resume:not([disabled])');
  });

  it('shows the instrument board and the live event log', async () => {
    const { t, page } = d;
    await page.goto(`${t.url}/#/instruments`);
    await page.waitForSelector('[data-instrument="reader"]');
    expect(await page.locator('[data-instrument="reader"] .badge').first().textContent()).toBe('up');
    await page.goto(`${t.url}/#/events`);
    await page.locator('#event-log td', { hasText: 'audit.call' }).first().waitFor();
  });

  it('loads every asset from the daemon itself, without page errors', () => {
    const { t, requests, pageErrors } = d;
    expect(requests.length).toBeGreaterThan(5);
    for (const url of requests) expect(url.startsWith(t.url)).toBe(true);
    expect(requests).toContain(`${t.url}/assets/chart.umd.min.js`);
    expect(pageErrors).toEqual([]);
  });
});

describe('interlocks in the dashboard', () => {
  // The interlock lab: the campaign's first measurement heats the plate above 50 °C, and the interlock trips.
  const d = dashboardOnDaemon({
    LABLOOP_INSTRUMENTS__LABS: JSON.stringify(['test/fixtures/interlock-lab.yaml']),
    LABLOOP_STARTUP__CAMPAIGNS: JSON.stringify(['test/fixtures/interlock-campaign.yaml']),
  });

  it('warns on every page while one is tripped, and offers an operator its reset', async () => {
    const { t, page, pageErrors } = d;
    await page.goto(`${t.url}/`);
    await page.locator('#alarm [data-tripped="overheat"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#alarm').textContent()).toMatch(
      /^Interlock overheat tripped \(lab guarded, since .+\): reader\.temperature = /,
    );
    await page.locator('#campaign-status', { hasText: 'held' }).waitFor({ timeout: 10_000 });

    await page.goto(`${t.url}/#/instruments`);
    // The instrument card names its reading.
    await page.locator('[data-instrument="reader"] dt', { hasText: 'temperature' }).waitFor();
    const row = page.locator('#interlocks tr[data-interlock="overheat"]');
    await row.waitFor();
    expect(await row.locator('.badge').textContent()).toBe('tripped');
    expect(await row.locator('button').count()).toBe(0); // not signed in: no reset

    await page.fill('#token-input', createToken(t.app, 'night-shift'));
    await page.click('#token-form button');
    await page.fill('#interlock-reason', 'plate checked');
    await page.click('#interlocks button[data-reset="overheat"]');
    // The plate is still hot: the daemon refuses, and says why.
    await page.locator('#notice.error', { hasText: 'still holds' }).waitFor({ timeout: 10_000 });
    expect(await page.locator('#interlocks tr[data-interlock="overheat"] .badge').textContent()).toBe(
      'tripped',
    );
    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: join('test-results', 'dashboard-interlock.png'), fullPage: true });

    await page.goto(`${t.url}/#/events`);
    await page
      .locator('#event-log td', { hasText: 'overheat (lab guarded) tripped → hold' })
      .first()
      .waitFor();
    expect(pageErrors).toEqual([]);
  });
});
