/**
 * `labloop run <campaign.yaml>`: one campaign in the foreground on its own embedded stack (broker on a free port,
 * no HTTP, its own data folder), with a progress bar; prints the best result. Exit codes: 0 completed, 1 bad input,
 * 2 held, 3 failed or aborted. Running it again on the same data folder resumes an unfinished run.
 */
import { join, resolve } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module.js';
import { CampaignRunner } from '../campaign/campaign-runner.service.js';
import { CampaignService, type CampaignSummary } from '../campaign/campaign.service.js';
import { loadConfig } from '../config/config.loader.js';
import type { AppConfig } from '../config/config.schema.js';
import { EventBus } from '../events/event-bus.service.js';
import { ManualSteps } from '../execution/manual-steps.service.js';
import { loadCampaignFile } from '../protocol/document.loader.js';
import { LabLogger } from '../telemetry/lab-logger.js';
import { EXIT } from './cli-errors.js';
import { promptOperator } from './operator-prompt.js';
import { ProgressBar } from './progress-bar.js';
import { exitOnSignals } from './shutdown.js';

export interface RunOptions {
  config?: string;
  dataDir?: string;
  mqtt?: string;
  lab?: string;
  json?: boolean;
  verbose?: boolean;
  clock?: string;
  timeScale?: number;
  clockAnchor?: string;
}

export async function runCommand(file: string, o: RunOptions): Promise<number> {
  // Validate before anything is created: bad input writes no rows.
  const doc = loadCampaignFile(file, o.lab);
  const loaded = loadConfig({
    configPath: o.config,
    overrides: {
      dataDir: o.dataDir ?? join('data', 'runs', doc.spec.name),
      mqttUrl: o.mqtt,
      clockMode: o.clock,
      timeScale: o.timeScale,
      clockAnchor: o.clockAnchor,
    },
  });
  // Never take a running daemon's ports: the embedded broker takes a free one; run mode serves no HTTP.
  const config: AppConfig = {
    ...loaded,
    mqtt: { ...loaded.mqtt, embedded: { ...loaded.mqtt.embedded, port: 0 } },
  };
  const bar = new ProgressBar(process.stderr);
  const logger = new LabLogger({
    level: o.verbose ? 'info' : 'warn',
    format: config.log.format,
    stream: process.stderr,
    around: (w) => bar.around(w),
  });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, mode: 'run' }), {
    logger,
    abortOnError: false,
  });
  exitOnSignals(app, logger);
  try {
    const campaigns = app.get(CampaignService);
    const runner = app.get(CampaignRunner);
    const existing = campaigns.findUnfinished(doc);
    const campaign = existing ?? campaigns.create(doc);
    if (existing) logger.warn(`resuming campaign ${existing.name} from ${resolve(config.dataDir)}`, 'run');
    if (campaign.status === 'held') return finish(campaigns.summary(campaign), o, config);

    const showProgress = (): void => {
      const s = campaigns.summary(campaigns.require(campaign.id));
      bar.update(s.experiments.completed, s.budget, describeBest(s));
    };
    const bus = app.get(EventBus);
    const off = bus.onAny((e) => {
      if (e.type === 'experiment.status' || e.type === 'experiment.designed') showProgress();
    });
    const offOperator = promptOperator(bus, app.get(ManualSteps), {
      input: process.stdin,
      output: process.stderr,
      around: (w) => bar.around(w),
    });
    showProgress();
    await campaigns.start(campaign.id);
    await runner.whenStopped(campaign.id);
    off();
    offOperator();
    bar.finish();
    return finish(campaigns.summary(campaigns.require(campaign.id)), o, config);
  } finally {
    await app.close();
  }
}

function finish(s: CampaignSummary, o: RunOptions, config: AppConfig): number {
  const code = s.status === 'completed' ? EXIT.ok : s.status === 'held' ? EXIT.held : EXIT.failed;
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify({ id: s.id, name: s.name, status: s.status, reason: s.reason, experiments: s.experiments, best: s.best, dataDir: config.dataDir })}\n`,
    );
    return code;
  }
  const lines = [
    `campaign ${s.name}: ${s.status}${s.reason ? ` (${s.reason})` : ''}`,
    `experiments: ${s.experiments.completed} completed, ${s.experiments.failed} failed, ${s.experiments.interrupted} interrupted`,
    s.best
      ? `best: #${s.best.seq} ${formatValues(s.best.values)} at ${Object.entries(s.best.params)
          .map(([k, v]) => `${k}=${typeof v === 'number' ? v.toPrecision(4) : v}`)
          .join(' ')}`
      : 'best: none',
    `data: ${config.dataDir}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return code;
}

function describeBest(s: CampaignSummary): string {
  return s.best ? `best ${formatValues(s.best.values)} (#${s.best.seq})` : '';
}

function formatValues(values: Record<string, { mean: number }>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k} ${v.mean.toPrecision(4)}`)
    .join(', ');
}
