/** The plan runner's journal port on the store: every write one synchronous, durable transaction. */
import { Injectable } from '@nestjs/common';
import {
  Journal,
  type CommandFinish,
  type NewCommand,
  type StepFinish,
  type StepOwner,
} from '../store/journal.service.js';
import { RecordsRepository } from '../store/records.repository.js';
import type { CommandRecord, StepRecord } from '../store/store.records.js';
import type { ExperimentHistory, StepJournal } from './execution.ports.js';

@Injectable()
export class StoreStepJournal implements StepJournal {
  constructor(
    private readonly journal: Journal,
    private readonly records: RecordsRepository,
  ) {}

  history(e: StepOwner): ExperimentHistory {
    const steps = new Map(this.records.steps(e.id).map((s) => [s.key, s]));
    const commands = new Map<string, CommandRecord[]>();
    for (const c of this.records.commands(e.id)) {
      const list = commands.get(c.step) ?? [];
      list.push(c);
      commands.set(c.step, list);
    }
    return { steps, commands };
  }

  startStep(e: StepOwner, key: string, kind: string, detail?: unknown): StepRecord {
    return this.journal.write((tx) => tx.startStep(e, key, kind, detail));
  }

  finishStep(e: StepOwner, key: string, f: StepFinish, hold?: { reason: string }): void {
    this.journal.write((tx) => {
      tx.finishStep(e, key, f);
      if (hold) {
        const c = tx.campaign(e.campaignId);
        if (c.status === 'running' || c.status === 'paused')
          tx.setCampaignStatus(e.campaignId, 'held', hold.reason);
      }
    });
  }

  decide(e: StepOwner, key: string, kind: string, result: unknown): void {
    this.journal.write((tx) => tx.decideStep(e, key, kind, result));
  }

  createCommand(e: StepOwner, c: NewCommand, startsAttempt: boolean): CommandRecord {
    return this.journal.write((tx) => {
      if (startsAttempt) tx.startStep(e, c.step, 'action');
      return tx.createCommand(c);
    });
  }

  finishCommand(e: StepOwner, cmd: CommandRecord, f: CommandFinish, step?: StepFinish): void {
    this.journal.write((tx) => {
      tx.finishCommand(cmd, f);
      if (step) tx.finishStep(e, cmd.step, step);
    });
  }

  countResend(commandId: string): void {
    this.journal.write((tx) => tx.countResend(commandId));
  }
}
