/**
 * How fast does lab time run on the virtual clock? Prints figures, asserts nothing (`npm run bench:clock`).
 * 1. bare timers: chained one-minute sleeps;
 * 2. the shipped bio campaigns (protocols/bio) through the daemon (broker, MQTT driver, simulators, SQLite journal,
 *    strategy) in one process: lab hours per real second.
 */
import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { parseDocument } from 'yaml';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module.js';
import { CampaignRunner } from '../src/campaign/campaign-runner.service.js';
import { CampaignService } from '../src/campaign/campaign.service.js';
import { CLOCK, sleep, type Clock } from '../src/common/clock.js';
import { loadConfig } from '../src/config/config.loader.js';
import { loadCampaignFile } from '../src/protocol/document.loader.js';
import { VirtualClock } from '../simulators/common/virtual-clock.js';

const ANCHOR = '2030-01-01T00:00:00.000Z';

async function bareTimers(n: number): Promise<void> {
  const clock = new VirtualClock({ start: Date.parse(ANCHOR) });
  const t = performance.now();
  for (let i = 0; i < n; i++) await sleep(clock, 60_000);
  const real = (performance.now() - t) / 1000;
  clock.close();
  const labHours = n / 60;
  process.stdout.write(
    `bare timers: ${n} one-minute sleeps in ${real.toFixed(2)} s — ${((real / n) * 1e6).toFixed(0)} µs per timer, ` +
      `${(labHours / real).toFixed(1)} lab hours per real second\n`,
  );
}

async function campaign(shipped: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'labloop-bench-'));
  try {
    const file = join(dir, 'campaign.yaml');
    const doc = parseDocument(readFileSync(shipped, 'utf8'));
    doc.set('lab', resolve('test/fixtures/sim-bio-inprocess.yaml'));
    writeFileSync(file, doc.toString());
    const budget = Number(doc.getIn(['budget', 'experiments']));
    const config = loadConfig({
      configPath: 'config/default.yaml',
      env: {
        LABLOOP_MQTT__EMBEDDED__PORT: '0',
        LABLOOP_STARTUP__CAMPAIGNS: '[]',
        LABLOOP_CLOCK__MODE: 'virtual',
        LABLOOP_CLOCK__ANCHOR: ANCHOR,
      },
      overrides: { dataDir: dir },
    });
    Logger.overrideLogger(['error']);
    const t = performance.now();
    const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, mode: 'run' }), {
      logger: ['error'],
    });
    try {
      const campaigns = app.get(CampaignService);
      const c = campaigns.create(loadCampaignFile(file));
      await campaigns.start(c.id);
      const end = await app.get(CampaignRunner).whenStopped(c.id);
      const real = (performance.now() - t) / 1000;
      const labHours = (app.get<Clock>(CLOCK).now() - Date.parse(ANCHOR)) / 3_600_000;
      process.stdout.write(
        `${shipped}, ${budget} experiments (${end?.status}): ${labHours.toFixed(1)} lab hours in ` +
          `${real.toFixed(1)} s — ${(labHours / real).toFixed(2)} lab hours per real second\n`,
      );
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await bareTimers(5000);
await campaign('protocols/bio/enzyme-assay.yaml');
await campaign('protocols/bio/growth-media.yaml');
