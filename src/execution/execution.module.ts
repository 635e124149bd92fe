/** Executes experiments: compiled protocols → journaled steps → stored commands → instruments. */
import { Module } from '@nestjs/common';
import { LabModule } from '../lab/lab.module.js';
import { StoreModule } from '../store/store.module.js';
import { ExperimentExecutor } from './experiment-executor.service.js';
import { LiveReadings } from './live-readings.service.js';
import { ManualSteps } from './manual-steps.service.js';
import { StoreStepJournal } from './step-journal.adapter.js';

@Module({
  imports: [LabModule, StoreModule],
  providers: [ExperimentExecutor, StoreStepJournal, LiveReadings, ManualSteps],
  exports: [ExperimentExecutor, ManualSteps],
})
export class ExecutionModule {}
