/** Alerts: rules over the event stream, delivered to webhooks. */
import { Module } from '@nestjs/common';
import { StoreModule } from '../store/store.module.js';
import { AlertService, defaultAlertTransport } from './alert.service.js';

@Module({
  imports: [StoreModule],
  providers: [AlertService, defaultAlertTransport],
  exports: [AlertService],
})
export class AlertsModule {}
