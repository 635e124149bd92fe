/**
 * Interlocks: the monitor that watches them on live readings. A module of its own because a trip holds campaigns
 * (CampaignService, global) while the command path only reads the latch (LabModule).
 */
import { Module } from '@nestjs/common';
import { StoreModule } from '../store/store.module.js';
import { InterlockMonitor } from './interlock-monitor.service.js';
import { LabModule } from './lab.module.js';

@Module({
  imports: [StoreModule, LabModule],
  providers: [InterlockMonitor],
  exports: [InterlockMonitor],
})
export class InterlocksModule {}
