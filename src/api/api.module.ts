/** The HTTP API: health, campaigns, experiments and their steps. Errors leave as JSON through LabErrorFilter. */
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { BrokerModule } from '../broker/broker.module.js';
import { ExecutionModule } from '../execution/execution.module.js';
import { LabModule } from '../lab/lab.module.js';
import { StoreModule } from '../store/store.module.js';
import { CampaignsController } from './campaigns.controller.js';
import { ExperimentsController } from './experiments.controller.js';
import { HealthController } from './health.controller.js';
import { LabErrorFilter } from './lab-error.filter.js';

@Module({
  imports: [StoreModule, BrokerModule, LabModule, ExecutionModule],
  controllers: [HealthController, CampaignsController, ExperimentsController],
  providers: [{ provide: APP_FILTER, useClass: LabErrorFilter }],
})
export class ApiModule {}
