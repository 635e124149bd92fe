/** Instruments: the registry, drivers, locks, hard limits, and in-process simulators. */
import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { InstrumentRegistry } from './instrument-registry.service.js';
import { SimulatorHost } from './simulator-host.service.js';

@Module({
  imports: [BrokerModule],
  providers: [InstrumentRegistry, SimulatorHost],
  exports: [InstrumentRegistry],
})
export class LabModule {}
