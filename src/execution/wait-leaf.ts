/**
 * Waits. A fixed wait counts from when its attempt started (journaled), so a restart waits only what is left. A wait
 * on a condition re-evaluates it whenever a reading of an instrument it names arrives, holds it for `for` if asked,
 * and fails when its timeout passes. A reading made invalid by a lost link is no value: the condition is not met.
 */
import { evaluateNode } from '../common/expression.js';
import { referencesOf } from '../common/expression.js';
import { Quantity, toNumberIn, truthy } from '../common/quantity.js';
import { formatDuration } from '../common/durations.js';
import { parseUnit } from '../common/units.js';
import type { WaitNode } from '../protocol/plan.js';
import { evaluateTemplate } from '../protocol/value-template.js';
import { expressionProblem, pause, SUSPENDED, type LeafContext, type LeafResult } from './leaf.js';

const SECOND = parseUnit('s');

export async function runWait(node: WaitNode, ctx: LeafContext): Promise<LeafResult> {
  if (node.until) return waitUntil(node, node.until, ctx);
  let ms: number;
  try {
    ms = durationMs(node, ctx);
  } catch (e) {
    if (!ctx.resume) ctx.ports.journal.startStep(ctx.e, ctx.key, 'wait');
    return { status: 'failed', reason: expressionProblem(e) };
  }
  const started =
    ctx.resume?.startedAt ?? ctx.ports.journal.startStep(ctx.e, ctx.key, 'wait', { ms }).startedAt;
  const left = started + ms - ctx.ports.clock.now();
  return (await pause(ctx.ports, left, ctx.stop)) ? { status: 'done', values: {} } : SUSPENDED;
}

function durationMs(node: WaitNode, ctx: LeafContext): number {
  const d = node.duration ?? 0;
  if (typeof d === 'number') return d;
  const v = evaluateTemplate(d, ctx.scope.resolve);
  // A plain number is seconds, as everywhere durations are written.
  const seconds = v instanceof Quantity ? toNumberIn(v, SECOND, 'wait') : toNumberIn(v, undefined, 'wait');
  return Math.max(0, seconds * 1000);
}

function waitUntil(
  node: WaitNode,
  until: NonNullable<WaitNode['until']>,
  ctx: LeafContext,
): Promise<LeafResult> {
  const { ports } = ctx;
  const started = ctx.resume?.startedAt ?? ports.journal.startStep(ctx.e, ctx.key, 'wait').startedAt;
  const timeoutMs = node.timeoutMs ?? 5 * 60_000;
  const instruments = new Set(
    referencesOf(until.condition)
      .map((p) => `${p[0] ?? ''}.${p[1] ?? ''}`)
      .filter((k) => k in ctx.plan.readings)
      .map((k) => ctx.plan.readings[k]?.instrument as string),
  );
  return new Promise<LeafResult>((resolve) => {
    const cleanups: (() => void)[] = [];
    let heldSince: number | undefined;
    let holdTimer: { cancel(): void } | undefined;
    const finish = (r: LeafResult): void => {
      for (const c of cleanups.splice(0)) c();
      holdTimer?.cancel();
      resolve(r);
    };
    const holds = (): boolean => {
      try {
        return truthy(evaluateNode(until.condition, ctx.scope.resolve));
      } catch {
        return false; // a reading with no valid value: not met yet
      }
    };
    const check = (): void => {
      if (!holds()) {
        heldSince = undefined;
        holdTimer?.cancel();
        holdTimer = undefined;
        return;
      }
      if (until.forMs <= 0) return finish({ status: 'done', values: {} });
      if (heldSince !== undefined) return;
      heldSince = ports.clock.now();
      holdTimer = ports.clock.setTimer(until.forMs, () => {
        if (holds()) finish({ status: 'done', values: {} });
        else heldSince = undefined;
      });
    };
    const onStop = (): void => finish(SUSPENDED);
    if (ctx.stop.aborted) return finish(SUSPENDED);
    ctx.stop.addEventListener('abort', onStop, { once: true });
    cleanups.push(() => ctx.stop.removeEventListener('abort', onStop));
    const deadline = ports.clock.setTimer(Math.max(0, started + timeoutMs - ports.clock.now()), () =>
      finish({
        status: 'failed',
        reason: `"${until.text}" did not hold${until.forMs > 0 ? ` for ${formatDuration(until.forMs)}` : ''} within ${formatDuration(timeoutMs)}`,
      }),
    );
    cleanups.push(() => deadline.cancel());
    for (const i of instruments) cleanups.push(ports.readings.watch(i, check));
    check();
  });
}
