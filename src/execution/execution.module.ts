/** Executes experiments: protocol steps → stored commands → instruments. */
import { Module } from '@nestjs/common';
import { LabModule } from '../lab/lab.module.js';
import { StoreModule } from '../store/store.module.js';
import { ExperimentExecutor } from './experiment-executor.service.js';

@Module({ imports: [LabModule, StoreModule], providers: [ExperimentExecutor], exports: [ExperimentExecutor] })
export class ExecutionModule {}
