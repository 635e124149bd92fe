/** The daemon's MQTT broker, embedded or external. */
import { Module } from '@nestjs/common';
import { BrokerService } from './broker.service.js';

@Module({ providers: [BrokerService], exports: [BrokerService] })
export class BrokerModule {}
