/**
 * The daemon, assembled. `daemon` mode serves HTTP and supervises campaigns (resume at boot, startup campaigns);
 * `run` mode is one campaign in the foreground, driven by its caller.
 */
import { Module, type DynamicModule } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { AlertsModule } from './alerts/alerts.module.js';
import { ApiModule } from './api/api.module.js';
import { BrokerModule } from './broker/broker.module.js';
import { CampaignModule } from './campaign/campaign.module.js';
import type { Clock } from './common/clock.js';
import { clockFromConfig } from './common/clock-from-config.js';
import { CoreModule } from './common/core.module.js';
import { ConfigModule } from './config/config.module.js';
import type { AppConfig } from './config/config.schema.js';
import { EventsModule } from './events/events.module.js';
import { InterlocksModule } from './lab/interlocks.module.js';
import { LabModule } from './lab/lab.module.js';
import { StoreModule } from './store/store.module.js';

export type AppMode = 'daemon' | 'run';

export interface AppOptions {
  config: AppConfig;
  mode: AppMode;
  clock?: Clock;
}

@Module({})
export class AppModule {
  static forRoot(o: AppOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(o.config),
        o.clock
          ? CoreModule.forRoot(o.clock)
          : CoreModule.forRoot(clockFromConfig(o.config.clock), { owned: true }),
        ScheduleModule.forRoot(),
        EventsModule,
        StoreModule,
        BrokerModule,
        LabModule,
        CampaignModule.forRoot(o.mode === 'daemon'),
        InterlocksModule,
        AlertsModule,
        ...(o.mode === 'daemon' ? [ApiModule] : []),
      ],
    };
  }
}
