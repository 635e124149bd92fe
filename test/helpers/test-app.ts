/** Boots the real daemon (Nest, SQLite file, embedded broker on a free port, in-process simulators) for a test. */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttpApp } from '../../src/api/http-app.js';
import { AppModule, type AppMode } from '../../src/app.module.js';
import { loadConfig } from '../../src/config/config.loader.js';
import type { AppConfig } from '../../src/config/config.schema.js';
import { LabLogger } from '../../src/telemetry/lab-logger.js';

export interface TestApp {
  app: INestApplication;
  config: AppConfig;
  /** Base URL of the HTTP API (daemon mode only). */
  url: string;
  close(): Promise<void>;
}

export async function startTestApp(o: {
  mode: AppMode;
  dataDir: string;
  env?: Record<string, string>;
}): Promise<TestApp> {
  const config = loadConfig({
    configPath: 'config/default.yaml',
    env: {
      LABLOOP_MQTT__EMBEDDED__PORT: '0',
      LABLOOP_HTTP__PORT: '0',
      LABLOOP_STARTUP__CAMPAIGNS: '[]',
      ...o.env,
    },
    overrides: { dataDir: o.dataDir },
  });
  const logger = new LabLogger({ level: 'warn', format: 'text', stream: process.stderr });
  let url = '';
  let app: INestApplication;
  if (o.mode === 'daemon') {
    const web = await NestFactory.create<NestExpressApplication>(
      AppModule.forRoot({ config, mode: 'daemon' }),
      { logger, abortOnError: false },
    );
    configureHttpApp(web);
    await web.listen(0, '127.0.0.1');
    const address = web.getHttpServer().address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    app = web;
  } else {
    const ctx = await NestFactory.createApplicationContext(AppModule.forRoot({ config, mode: 'run' }), {
      logger,
      abortOnError: false,
    });
    await ctx.init();
    app = ctx as unknown as INestApplication;
  }
  return { app, config, url, close: () => app.close() };
}
