/**
 * One OPC UA command from start to outcome: wait for the link as the offline policy says, refuse it past its
 * deadline, run its operations or its LADS program with progress, and turn every ending — done, a coded failure, an
 * abort, the timeout, a lost link — into an outcome. An aborted or timed-out command also stops the instrument.
 */
import { firstValueFrom, filter } from 'rxjs';
import { sleep, type Clock } from '../../src/common/clock.js';
import { formatDuration } from '../../src/common/durations.js';
import { describeError, isLabError } from '../../src/common/lab-error.js';
import type { CommandOutcome, CommandRequest, ExecuteOptions } from '../../src/lab/instrument-driver.port.js';
import type { LadsProgramSpec } from './opcua.lab-schema.js';
import type { OpcuaConnection } from './opcua-connection.js';
import type { OpcuaInstrumentDriver } from './opcua-instrument.driver.js';
import { OpFailure } from './opcua-operations.js';
import { compileTemplate, type TemplateContext } from './opcua-template.js';

/** Why a command's controller was aborted. `emergency`: the instrument is stopped once by the caller. */
export class StopReason extends Error {
  constructor(
    readonly why: 'aborted' | 'timeout' | 'shutdown',
    readonly emergency = false,
  ) {
    super(why);
  }
}

/** Resolves undefined once the link is up, or with why not after `maxMs` lab ms (or when `signal` aborts). */
export async function waitForLink(
  conn: OpcuaConnection,
  clock: Clock,
  maxMs: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  if (conn.up) return undefined;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const up = await Promise.race([
      firstValueFrom(conn.up$.pipe(filter(Boolean))).then(() => true),
      sleep(clock, maxMs, stop.signal).then(
        () => false,
        () => false,
      ),
    ]).catch(() => false);
    return up
      ? undefined
      : `not connected within ${formatDuration(maxMs)}${conn.problem ? ` (${conn.problem})` : ''}`;
  } finally {
    stop.abort();
    signal?.removeEventListener('abort', onAbort);
  }
}

export async function runCommand(
  d: OpcuaInstrumentDriver,
  request: CommandRequest,
  options: ExecuteOptions,
  controller: AbortController,
): Promise<CommandOutcome> {
  const clock = d.ctx.clock;
  const timer = clock.setTimer(request.timeoutMs, () => controller.abort(new StopReason('timeout')));
  const onAbort = (): void => controller.abort(new StopReason('aborted'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  let started = false;
  const t: TemplateContext = {
    params: request.params,
    commandId: request.id,
    experimentId: request.experimentId ?? 'manual',
  };
  /** The command is about to act on the instrument. */
  const begin = (checkDeadline: boolean): void => {
    if (checkDeadline && clock.now() > request.deadline)
      throw new OpFailure(
        'EXPIRED',
        `past its deadline ${new Date(request.deadline).toISOString()}; not started`,
      );
    started = true;
    const resend = options.alreadySent === true;
    options.onSend?.(resend);
    d.ctx.events.emit('command.sent', {
      commandId: request.id,
      instrument: d.id,
      action: request.action,
      resend,
    });
    options.onProgress?.({ status: 'accepted' });
    d.emitProgress(request.id, 'accepted');
  };
  const progress = (fraction: number): void => {
    options.onProgress?.({ status: 'running', progress: fraction });
    d.emitProgress(request.id, 'running', fraction);
  };
  try {
    if (!d.conn.up) {
      const policy = options.offline ?? { policy: 'wait' };
      if (policy.policy === 'fail')
        return offline(
          'failed',
          `${d.id}: not connected to its server${d.conn.problem ? ` (${d.conn.problem})` : ''}; not sent`,
        );
      const down = await waitForLink(
        d.conn,
        clock,
        Math.min(policy.maxWaitMs ?? Infinity, request.timeoutMs),
        controller.signal,
      );
      if (down && !controller.signal.aborted) return offline('timeout', `${d.id}: ${down}; not sent`);
      if (controller.signal.aborted) throw controller.signal.reason;
    }
    const program = d.program(request.action);
    const ops = d.operations[request.action];
    if (program)
      return {
        status: 'done',
        result: await runProgram(d, request, program, t, controller.signal, options, begin, progress),
      };
    if (!ops)
      return {
        status: 'rejected',
        error: { code: 'UNKNOWN_ACTION', message: `${d.id} has no action "${request.action}"` },
      };
    begin(true);
    const result = await d.runner.run(ops, t, controller.signal, (done, total) => progress(done / total));
    return { status: 'done', result };
  } catch (e) {
    const reason: unknown = controller.signal.reason;
    if (controller.signal.aborted && reason instanceof StopReason)
      return stopped(d, request, reason, started);
    if (e instanceof OpFailure)
      return {
        status: e.code === 'EXPIRED' ? 'rejected' : 'failed',
        error: { code: e.code, message: e.message },
      };
    if (isLabError(e) && e.code === 'INSTRUMENT_OFFLINE')
      return offline('failed', `${d.id}: the link was lost during ${request.action}; what it did is unknown`);
    return { status: 'failed', error: { code: 'OPCUA_ERROR', message: `${d.id}: ${describeError(e)}` } };
  } finally {
    timer.cancel();
    options.signal?.removeEventListener('abort', onAbort);
  }
}

async function runProgram(
  d: OpcuaInstrumentDriver,
  request: CommandRequest,
  program: LadsProgramSpec,
  t: TemplateContext,
  signal: AbortSignal,
  options: ExecuteOptions,
  begin: (checkDeadline: boolean) => void,
  progress: (fraction: number) => void,
): Promise<Record<string, unknown>> {
  const unit = await d.lads.unit(program.functionalUnit ?? d.ladsSpec().functionalUnit);
  let attach = false;
  if (options.alreadySent) {
    // Sent by an earlier process: find the run by the command id before starting anything.
    const found = await d.lads.find(unit, request.id);
    if (found?.active) attach = true;
    else if (found) {
      if (!found.stopped)
        throw new OpFailure('INCOMPLETE', `run ${found.runId} ended without completing its result`);
      return d.ladsResult(found.result, request.action);
    }
  }
  begin(!attach);
  const properties = Object.fromEntries(
    Object.entries(program.properties).map(([k, v]) => [k, String(compileTemplate(v).evaluate(t))]),
  );
  const start = async (): Promise<void> => {
    await d.lads.start(unit, {
      template: program.template,
      properties,
      samples: program.samples,
      jobId: t.experimentId,
      taskId: request.id,
    });
  };
  const end = await d.lads.follow(unit, request.id, signal, progress, attach ? undefined : start);
  if (end === 'Aborted') throw new OpFailure('ABORTED', `${d.id}: the device aborted the program`);
  const found = await d.lads.find(unit, request.id);
  if (!found)
    throw new OpFailure('RESULT_MISSING', `${d.id}: no result in the ResultSet carries the command id`);
  return d.ladsResult(found.result, request.action);
}

async function stopped(
  d: OpcuaInstrumentDriver,
  request: CommandRequest,
  reason: StopReason,
  started: boolean,
): Promise<CommandOutcome> {
  if (started && !reason.emergency && reason.why !== 'shutdown') {
    await d
      .stopInstrument()
      .catch((e: unknown) => d.logger.warn(`could not stop ${d.id}: ${describeError(e)}`));
  }
  if (reason.why === 'timeout')
    return {
      status: 'timeout',
      error: {
        code: started ? 'INSTRUMENT_TIMEOUT' : 'INSTRUMENT_OFFLINE',
        message: `${d.id}: ${request.action} did not finish within ${formatDuration(request.timeoutMs)}`,
      },
    };
  if (reason.why === 'shutdown')
    return {
      status: 'timeout',
      error: { code: 'SHUTTING_DOWN', message: 'the driver closed before the command ended' },
    };
  return { status: 'failed', error: { code: 'ABORTED', message: `${request.action} was aborted` } };
}

function offline(status: 'failed' | 'timeout', message: string): CommandOutcome {
  return { status, error: { code: 'INSTRUMENT_OFFLINE', message } };
}
