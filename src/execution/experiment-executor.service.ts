/**
 * Runs one experiment's compiled protocol on the instruments: the plan runner over the real ports — the journal,
 * the instrument registry (locks, guarded commands), live readings and operators' answers. Every leaf step is
 * journaled by its stable key before it acts, so a restarted experiment skips what is done and re-sends an unfinished
 * command with its own id.
 */
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { parseDuration } from '../common/durations.js';
import type { Value } from '../common/quantity.js';
import { APP_CONFIG, type AppConfig } from '../config/config.schema.js';
import { InstrumentRegistry } from '../lab/instrument-registry.service.js';
import type { CompiledProtocol } from '../protocol/plan.js';
import type { ExperimentRecord } from '../store/store.records.js';
import type { ExecutionControl } from './execution.ports.js';
import { LiveReadings } from './live-readings.service.js';
import { ManualSteps } from './manual-steps.service.js';
import { PlanRunner, type RunOutcome } from './plan-runner.js';
import { StoreStepJournal } from './step-journal.adapter.js';

export type { ExecutionControl } from './execution.ports.js';
export type ExecutionOutcome = RunOutcome;

@Injectable()
export class ExperimentExecutor {
  private readonly runner: PlanRunner;

  constructor(
    journal: StoreStepJournal,
    instruments: InstrumentRegistry,
    private readonly readings: LiveReadings,
    operators: ManualSteps,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) clock: Clock,
  ) {
    this.runner = new PlanRunner({
      clock,
      journal,
      instruments,
      readings,
      operators,
      dispatchWindowMs: parseDuration(config.instruments.dispatchWindow) ?? 60_000,
    });
  }

  execute(
    e: ExperimentRecord,
    plan: CompiledProtocol,
    inputs: Record<string, Value>,
    control: ExecutionControl,
  ): Promise<ExecutionOutcome> {
    for (const r of Object.values(plan.readings)) this.readings.follow(r.instrument);
    return this.runner.run(e, plan, inputs, control);
  }
}
