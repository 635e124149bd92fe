/** The HTTP API: health, campaigns and instruments. Errors leave as JSON through LabErrorFilter. */
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BrokerModule } from '../broker/broker.module.js';
import { LabModule } from '../lab/lab.module.js';
import { StoreModule } from '../store/store.module.js';
import { CampaignsController } from './campaigns.controller.js';
import { HealthController } from './health.controller.js';
import { InstrumentsController } from './instruments.controller.js';
import { LabErrorFilter } from './lab-error.filter.js';

@Module({
  imports: [StoreModule, BrokerModule, LabModule],
  controllers: [HealthController, CampaignsController, InstrumentsController],
  providers: [{ provide: APP_FILTER, useClass: LabErrorFilter }],
})
export class ApiModule {}
