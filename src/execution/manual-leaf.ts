/**
 * A manual step: the prompt is journaled (and announced as a `step.manual` event), then the step waits for an
 * operator's answer — through the API or `labloop confirm` — until its timeout. "Done" ends the step; "could not"
 * is a failure, handled by the step's failure policy.
 */
import { formatDuration } from '../common/durations.js';
import { formatValue } from '../common/quantity.js';
import type { ManualNode } from '../protocol/plan.js';
import { evaluateTemplate } from '../protocol/value-template.js';
import type { OperatorAnswer } from './execution.ports.js';
import { expressionProblem, SUSPENDED, type LeafContext, type LeafResult } from './leaf.js';

export async function runManual(node: ManualNode, ctx: LeafContext): Promise<LeafResult> {
  let prompt: string;
  try {
    prompt = formatValue(evaluateTemplate(node.prompt, ctx.scope.resolve));
  } catch (e) {
    if (!ctx.resume) ctx.ports.journal.startStep(ctx.e, ctx.key, 'manual', { prompt: '' });
    return { status: 'failed', reason: expressionProblem(e) };
  }
  const record = ctx.resume ?? ctx.ports.journal.startStep(ctx.e, ctx.key, 'manual', { prompt });
  const timeout = new AbortController();
  const timer = ctx.ports.clock.setTimer(
    Math.max(0, record.startedAt + node.timeoutMs - ctx.ports.clock.now()),
    () => timeout.abort(new Error('timeout')),
  );
  let answer: OperatorAnswer;
  try {
    answer = await ctx.ports.operators.answer(ctx.e, ctx.key, AbortSignal.any([ctx.stop, timeout.signal]));
  } catch {
    if (ctx.stop.aborted) return SUSPENDED;
    return {
      status: 'failed',
      reason: `no operator confirmed "${prompt}" within ${formatDuration(node.timeoutMs)}`,
    };
  } finally {
    timer.cancel();
  }
  if (!answer.ok)
    return {
      status: 'failed',
      reason: `the operator could not do it${answer.note ? `: ${answer.note}` : ''}`,
    };
  return {
    status: 'done',
    values: { ...(answer.by ? { by: answer.by } : {}), ...(answer.note ? { note: answer.note } : {}) },
  };
}
