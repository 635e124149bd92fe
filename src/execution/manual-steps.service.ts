/**
 * Operators' answers to manual steps. `confirm` journals an answer to a step that waits for one (the API and
 * `labloop confirm` call it); a running experiment waiting on that step hears it on the event bus, or finds it in
 * the journal when it (re)starts.
 */
import { Injectable, Logger } from '@nestjs/common';
import { LabError } from '../common/lab-error.js';
import { EventBus } from '../events/event-bus.service.js';
import { Journal } from '../store/journal.service.js';
import { RecordsRepository } from '../store/records.repository.js';
import type { StepRecord } from '../store/store.records.js';
import type { ManualPort, OperatorAnswer, StepOwner } from './execution.ports.js';

@Injectable()
export class ManualSteps implements ManualPort {
  private readonly logger = new Logger('operators');

  constructor(
    private readonly journal: Journal,
    private readonly records: RecordsRepository,
    private readonly bus: EventBus,
  ) {}

  answer(e: StepOwner, key: string, signal: AbortSignal): Promise<OperatorAnswer> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        off();
        signal.removeEventListener('abort', onAbort);
      };
      const onAbort = (): void => {
        done();
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const off = this.bus.on('step.confirmed', (d) => {
        if (d.experimentId !== e.id || d.key !== key) return;
        done();
        resolve({ ok: d.ok, ...(d.by ? { by: d.by } : {}), ...(d.note ? { note: d.note } : {}) });
      });
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      const step = this.records.step(e.id, key);
      const given = answerIn(step);
      if (given) {
        done();
        resolve(given);
        return;
      }
      const prompt = (step?.detail as { prompt?: unknown } | null | undefined)?.prompt;
      this.logger.warn(
        `experiment ${e.id} waits for an operator: ${typeof prompt === 'string' ? prompt : key} — when done: labloop confirm ${e.id} '${key}'`,
      );
    });
  }

  /** Journals an operator's answer; refuses a step that does not wait for one. */
  confirm(experimentId: string, key: string, answer: OperatorAnswer): StepRecord {
    return this.journal.write((tx) => {
      const e = tx.experiment(experimentId);
      const step = tx.step(experimentId, key);
      if (!step) throw new LabError('NOT_FOUND', `experiment ${experimentId} has no step ${key}`, 'step');
      if (step.kind !== 'manual')
        throw new LabError('CONFLICT', `step ${key} is a ${step.kind} step, not a manual one`, 'step');
      if (step.status !== 'running' || answerIn(step))
        throw new LabError(
          'CONFLICT',
          `step ${key} does not wait for an operator (it is ${step.status})`,
          'step',
        );
      tx.confirmStep(e, key, answer);
      return tx.step(experimentId, key) as StepRecord;
    });
  }

  /** Manual steps that wait for an operator, across the campaign. */
  waiting(campaignId: string): StepRecord[] {
    return this.records.waitingManualSteps(campaignId).filter((s) => !answerIn(s));
  }

  /** Manual steps of one experiment that wait for an operator. */
  waitingIn(experimentId: string): StepRecord[] {
    return this.records
      .steps(experimentId)
      .filter((s) => s.kind === 'manual' && s.status === 'running' && !answerIn(s));
  }
}

function answerIn(step: StepRecord | undefined): OperatorAnswer | undefined {
  const c = (step?.result as { confirmation?: OperatorAnswer } | null | undefined)?.confirmation;
  return step?.status === 'running' && c ? c : undefined;
}
