/**
 * The HTTP API and the dashboard: health, campaigns (read, steer, export, report), labs, instruments (manual and
 * emergency control), protocols, experiments and their steps, events (SSE), metrics. Access control is global (AccessModule), so routes other
 * modules add are guarded too. Errors leave as JSON through LabErrorFilter.
 */
import { Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { AccessModule } from '../access/access.module.js';
import { BrokerModule } from '../broker/broker.module.js';
import { ExecutionModule } from '../execution/execution.module.js';
import { InterlocksModule } from '../lab/interlocks.module.js';
import { LabModule } from '../lab/lab.module.js';
import { CampaignDatasets } from '../reports/campaign-dataset.js';
import { StoreModule } from '../store/store.module.js';
import { MetricsService } from '../telemetry/metrics.service.js';
import { AuthController } from './auth.controller.js';
import { CampaignControlController } from './campaign-control.controller.js';
import { CampaignExportController } from './campaign-export.controller.js';
import { CampaignsController } from './campaigns.controller.js';
import { DashboardController } from './dashboard.controller.js';
import { EventStreams } from './event-stream.js';
import { EventsController } from './events.controller.js';
import { ExperimentsController } from './experiments.controller.js';
import { HealthController } from './health.controller.js';
import { InstrumentsController } from './instruments.controller.js';
import { InterlocksController } from './interlocks.controller.js';
import { LabErrorFilter } from './lab-error.filter.js';
import { LabsController } from './labs.controller.js';
import { MetricsController } from './metrics.controller.js';
import { ProtocolsController } from './protocols.controller.js';

@Module({
  imports: [StoreModule, BrokerModule, LabModule, InterlocksModule, ExecutionModule, AccessModule],
  controllers: [
    HealthController,
    InstrumentsController,
    InterlocksController,
    CampaignsController,
    ExperimentsController,
    CampaignControlController,
    CampaignExportController,
    LabsController,
    ProtocolsController,
    EventsController,
    AuthController,
    MetricsController,
    DashboardController,
  ],
  providers: [
    { provide: APP_FILTER, useClass: LabErrorFilter },
    EventStreams,
    CampaignDatasets,
    MetricsService,
  ],
})
export class ApiModule {}
