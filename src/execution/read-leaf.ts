/**
 * Reads into a named measurement: a live reading — the first valid sample received after the read began, so it is
 * never stale — or a result of an earlier step. The value keeps its unit.
 */
import { formatDuration } from '../common/durations.js';
import { quantity, type Value } from '../common/quantity.js';
import type { ReadNode } from '../protocol/plan.js';
import { SUSPENDED, type LeafContext, type LeafResult } from './leaf.js';

export async function runRead(node: ReadNode, ctx: LeafContext): Promise<LeafResult> {
  const started = ctx.resume?.startedAt ?? ctx.ports.journal.startStep(ctx.e, ctx.key, 'read').startedAt;
  const source = node.source;
  if ('result' in source) {
    const v = ctx.scope.resolve(source.result);
    return v === undefined
      ? { status: 'failed', reason: `${source.result.join('.')} has no value` }
      : { status: 'done', values: { value: v } };
  }
  const { instrument, name, unit } = source.reading;
  const fresh = (): Value | undefined => {
    const s = ctx.ports.readings.latest(instrument, name);
    if (!s || s.receivedAt < started) return undefined;
    return typeof s.value === 'number' ? quantity(s.value, unit) : (s.value as Value);
  };
  const now = fresh();
  if (now !== undefined) return { status: 'done', values: { value: now } };
  return new Promise<LeafResult>((resolve) => {
    const cleanups: (() => void)[] = [];
    const finish = (r: LeafResult): void => {
      for (const c of cleanups.splice(0)) c();
      resolve(r);
    };
    const onStop = (): void => finish(SUSPENDED);
    if (ctx.stop.aborted) return finish(SUSPENDED);
    ctx.stop.addEventListener('abort', onStop, { once: true });
    cleanups.push(() => ctx.stop.removeEventListener('abort', onStop));
    const timer = ctx.ports.clock.setTimer(
      Math.max(0, started + node.timeoutMs - ctx.ports.clock.now()),
      () =>
        finish({
          status: 'failed',
          reason: `no valid ${instrument}.${name} within ${formatDuration(node.timeoutMs)}`,
        }),
    );
    cleanups.push(() => timer.cancel());
    cleanups.push(
      ctx.ports.readings.watch(instrument, () => {
        const v = fresh();
        if (v !== undefined) finish({ status: 'done', values: { value: v } });
      }),
    );
  });
}
