/**
 * The store: one SQLite file `<dataDir>/labloop.sqlite` through TypeORM on better-sqlite3, schema by migrations at
 * boot. Engine writes go through the Journal (synchronous transactions); never open a TypeORM transaction at run
 * time, or its awaits could interleave with a journal write on the shared connection.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, type AppConfig } from '../config/config.schema.js';
import { ENTITIES } from './entities/index.js';
import { EventLogRepository } from './event-log.repository.js';
import { Journal } from './journal.service.js';
import { MIGRATIONS } from './migrations/index.js';
import { RecordsRepository } from './records.repository.js';
import { applyPragmas, BUSY_TIMEOUT_MS, DATABASE_FILE } from './sqlite-connection.js';
import { StoreHealth } from './store.health.js';
import { StoreHousekeeping } from './store-housekeeping.service.js';

@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        mkdirSync(config.dataDir, { recursive: true });
        return {
          type: 'better-sqlite3' as const,
          database: join(config.dataDir, DATABASE_FILE),
          entities: ENTITIES,
          migrations: MIGRATIONS,
          migrationsRun: true,
          synchronize: false,
          timeout: BUSY_TIMEOUT_MS,
          prepareDatabase: applyPragmas,
          logging: false,
        };
      },
    }),
    TypeOrmModule.forFeature(ENTITIES),
  ],
  providers: [Journal, RecordsRepository, EventLogRepository, StoreHealth, StoreHousekeeping],
  exports: [Journal, RecordsRepository, EventLogRepository, StoreHealth, TypeOrmModule],
})
export class StoreModule {}
