/**
 * Runs one experiment's protocol steps on the instruments. Per step: wait for the instrument, store the command
 * (id, parameters, deadline) before publishing it, send it through the registry's guard, store the outcome. A
 * restarted experiment skips steps whose command is done and re-sends an unfinished command with its own id.
 */
import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { parseDuration } from '../common/durations.js';
import { describeError } from '../common/lab-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.schema.js';
import type { CommandOutcome } from '../lab/instrument-driver.port.js';
import { InstrumentRegistry } from '../lab/instrument-registry.service.js';
import type { ActionStepSpec, ProtocolSpec } from '../protocol/campaign.schema.js';
import { evaluate, type ExpressionContext, type Scalar } from '../protocol/expressions.js';
import { Journal } from '../store/journal.service.js';
import { RecordsRepository } from '../store/records.repository.js';
import type { CommandRecord, ExperimentRecord } from '../store/store.records.js';

export const DEFAULT_STEP_TIMEOUT_MS = 5 * 60_000;

/** The instrument refused the command for arriving after its deadline: it never ran, so a new one is safe. */
function neverRan(c: Pick<CommandRecord, 'status' | 'error'>): boolean {
  return c.status === 'rejected' && c.error?.code === 'EXPIRED';
}

export type ExecutionOutcome =
  | { status: 'executed'; outputs: Record<string, Scalar> }
  | { status: 'failed'; reason: string }
  /** A command left pending by a crash may or may not have taken effect (its driver cannot tell): never repeated. */
  | { status: 'interrupted'; reason: string }
  /** Stopped between steps by a drain; the experiment resumes from its next step later. */
  | { status: 'suspended' };

export interface ExecutionControl {
  /** No new step starts once this is aborted; a running step finishes. */
  drain: AbortSignal;
  /** Running commands are aborted on the instruments. */
  abort: AbortSignal;
}

@Injectable()
export class ExperimentExecutor {
  private readonly dispatchWindowMs: number;

  constructor(
    private readonly journal: Journal,
    private readonly records: RecordsRepository,
    private readonly instruments: InstrumentRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.dispatchWindowMs = parseDuration(config.instruments.dispatchWindow) ?? 60_000;
  }

  async execute(
    e: ExperimentRecord,
    protocol: ProtocolSpec,
    inputs: Record<string, Scalar>,
    control: ExecutionControl,
  ): Promise<ExecutionOutcome> {
    const history = this.records.commands(e.id);
    const ctx: ExpressionContext = { inputs, steps: {} };
    for (const [i, step] of protocol.steps.entries()) {
      const key = step.id ?? `#${i + 1}`;
      const mine = history.filter((c) => c.step === key);
      const last = mine[mine.length - 1];
      let result = last?.status === 'done' ? (last.result ?? {}) : undefined;
      if (!result) {
        if (last && last.status !== 'pending' && !neverRan(last)) {
          return {
            status: 'failed',
            reason: `step ${key}: ${last.error ? `${last.error.code}: ${last.error.message}` : last.status}`,
          };
        }
        if (control.drain.aborted || control.abort.aborted) return { status: 'suspended' };
        const outcome = await this.runStep(
          e,
          step,
          key,
          ctx,
          last?.status === 'pending' ? last : undefined,
          mine.length,
          control,
        );
        if (outcome.status === 'interrupted')
          return { status: 'interrupted', reason: `step ${key}: ${outcome.reason}` };
        if (outcome.status !== 'done') {
          return {
            status: 'failed',
            reason: `step ${key} (${step.instrument}.${step.action}): ${outcome.error.code}: ${outcome.error.message}`,
          };
        }
        result = outcome.result;
      }
      if (step.id) ctx.steps[step.id] = { result };
    }
    try {
      const outputs: Record<string, Scalar> = {};
      for (const [name, expr] of Object.entries(protocol.outputs)) outputs[name] = evaluate(expr, ctx);
      return { status: 'executed', outputs };
    } catch (err) {
      return { status: 'failed', reason: `outputs: ${describeError(err)}` };
    }
  }

  /**
   * One step: a resumed command keeps its id — its driver first says whether it may be sent again, was found
   * finished, or left an unknown outcome (then the experiment is interrupted); if the instrument never ran it
   * (expired), a fresh one is sent.
   */
  private async runStep(
    e: ExperimentRecord,
    step: ActionStepSpec,
    key: string,
    ctx: ExpressionContext,
    resumedCommand: CommandRecord | undefined,
    attemptsSoFar: number,
    control: ExecutionControl,
  ): Promise<CommandOutcome | { status: 'interrupted'; reason: string }> {
    let release: () => void;
    try {
      release = await this.instruments.reserve(step.instrument, control.abort);
    } catch (err) {
      return {
        status: 'failed',
        error: { code: 'ABORTED', message: `waiting for ${step.instrument}: ${describeError(err)}` },
      };
    }
    try {
      let resumed = resumedCommand;
      let attempt = attemptsSoFar;
      if (resumed) {
        const found = await this.reconcile(resumed);
        if (found) return found;
      }
      for (;;) {
        const cmd = resumed ?? this.storeCommand(e, step, key, ++attempt, ctx);
        if (!cmd)
          return {
            status: 'rejected',
            error: { code: 'EXPRESSION', message: 'a parameter expression has no value' },
          };
        const outcome = await this.send(step, cmd, resumed !== undefined, control);
        this.journal.write((tx) =>
          tx.finishCommand(
            cmd,
            outcome.status === 'done'
              ? { status: 'done', result: outcome.result }
              : { status: outcome.status, error: outcome.error },
          ),
        );
        // Only a command sent before a restart can come back EXPIRED having never run; a fresh one is then safe.
        if (!(
          resumed &&
          neverRan({ status: outcome.status, error: outcome.status === 'done' ? null : outcome.error })
        ))
          return outcome;
        resumed = undefined;
      }
    } finally {
      release();
    }
  }

  /** Asks the driver what became of a command an earlier process left pending; settles it unless it may go on. */
  private async reconcile(
    cmd: CommandRecord,
  ): Promise<CommandOutcome | { status: 'interrupted'; reason: string } | undefined> {
    const r = await this.instruments.reconcile(cmd.instrument, {
      id: cmd.id,
      experimentId: cmd.experimentId,
      action: cmd.action,
      params: cmd.params,
      deadline: cmd.deadline,
    });
    if (r.kind === 'resend' || r.kind === 'running') return undefined;
    if (r.kind === 'finished') {
      const o = r.outcome;
      this.journal.write((tx) =>
        tx.finishCommand(
          cmd,
          o.status === 'done' ? { status: 'done', result: o.result } : { status: o.status, error: o.error },
        ),
      );
      return o;
    }
    this.journal.write((tx) =>
      tx.finishCommand(cmd, { status: 'failed', error: { code: 'OUTCOME_UNKNOWN', message: r.reason } }),
    );
    return { status: 'interrupted', reason: r.reason };
  }

  private storeCommand(
    e: ExperimentRecord,
    step: ActionStepSpec,
    key: string,
    attempt: number,
    ctx: ExpressionContext,
  ): CommandRecord | undefined {
    let params: Record<string, Scalar>;
    try {
      params = Object.fromEntries(Object.entries(step.params).map(([k, v]) => [k, evaluate(v, ctx)]));
    } catch {
      return undefined;
    }
    return this.journal.write((tx) =>
      tx.createCommand({
        experimentId: e.id,
        step: key,
        attempt,
        instrument: step.instrument,
        action: step.action,
        params,
        deadline: this.clock.now() + this.dispatchWindowMs,
      }),
    );
  }

  private send(
    step: ActionStepSpec,
    cmd: CommandRecord,
    resumed: boolean,
    control: ExecutionControl,
  ): Promise<CommandOutcome> {
    const timeoutMs =
      step.timeout !== undefined
        ? (parseDuration(step.timeout) ?? DEFAULT_STEP_TIMEOUT_MS)
        : DEFAULT_STEP_TIMEOUT_MS;
    return this.instruments.execute(
      cmd.instrument,
      {
        id: cmd.id,
        experimentId: cmd.experimentId,
        action: cmd.action,
        params: cmd.params,
        deadline: cmd.deadline,
        timeoutMs,
      },
      {
        signal: control.abort,
        alreadySent: resumed,
        onSend: (resend) => {
          if (resend) this.journal.write((tx) => tx.countResend(cmd.id));
        },
      },
    );
  }
}
