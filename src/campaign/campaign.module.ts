/** The loop: campaigns, their runner, and the boot/shutdown supervisor. */
import { Module, type DynamicModule } from '@nestjs/common';
import { ExecutionModule } from '../execution/execution.module.js';
import { LabModule } from '../lab/lab.module.js';
import { OptimizersModule } from '../optimizers/optimizers.module.js';
import { StoreModule } from '../store/store.module.js';
import { CampaignRunner } from './campaign-runner.service.js';
import { CampaignSupervisor, SUPERVISE_CAMPAIGNS } from './campaign-supervisor.service.js';
import { CampaignService } from './campaign.service.js';

@Module({})
export class CampaignModule {
  static forRoot(supervise: boolean): DynamicModule {
    return {
      module: CampaignModule,
      global: true,
      imports: [StoreModule, LabModule, ExecutionModule, OptimizersModule],
      providers: [
        CampaignRunner,
        CampaignService,
        CampaignSupervisor,
        { provide: SUPERVISE_CAMPAIGNS, useValue: supervise },
      ],
      exports: [CampaignRunner, CampaignService],
    };
  }
}
