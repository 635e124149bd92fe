/** `labloop start`: the daemon. HTTP API, embedded broker (unless mqtt.url), simulators, campaigns. */
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { configureHttpApp } from '../api/http-app.js';
import { AppModule } from '../app.module.js';
import { loadConfig, type ConfigOverrides } from '../config/config.loader.js';
import { LabLogger } from '../telemetry/lab-logger.js';
import { exitOnSignals } from './shutdown.js';

export interface StartOptions {
  config?: string;
  overrides: ConfigOverrides;
}

export async function startCommand(o: StartOptions): Promise<void> {
  const config = loadConfig({ configPath: o.config, overrides: o.overrides });
  const logger = new LabLogger({
    level: config.log.level,
    format: config.log.format,
    stream: process.stdout,
  });
  logger.log(`labloop starting: config ${config.configFile}, data in ${config.dataDir}`, 'daemon');
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot({ config, mode: 'daemon' }),
    {
      logger,
      abortOnError: false,
    },
  );
  exitOnSignals(app, logger);
  configureHttpApp(app);
  await app.listen(config.http.port, config.http.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.http.port;
  logger.log(
    `dashboard on http://${config.http.host}:${port}/ · API http://${config.http.host}:${port}/api (docs: /api/docs)`,
    'daemon',
  );
}
