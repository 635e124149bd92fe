/** Instruments: the registry, drivers, locks, hard limits, manual control, and in-process simulators. */
import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { StoreModule } from '../store/store.module.js';
import { InstrumentRegistry } from './instrument-registry.service.js';
import { InterlockLatch } from './interlock-latch.js';
import { ManualControl } from './manual-control.service.js';
import { SimulatorHost } from './simulator-host.service.js';

@Module({
  imports: [BrokerModule, StoreModule],
  providers: [InstrumentRegistry, SimulatorHost, ManualControl, InterlockLatch],
  exports: [InstrumentRegistry, ManualControl, InterlockLatch],
})
export class LabModule {}
