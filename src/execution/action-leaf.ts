/**
 * One attempt of an instrument action. Parameters are evaluated (units converted to the instrument's), the
 * instrument's lock is taken, the command is stored before it is sent, sent through the registry's guard, and its
 * outcome stored — with the step's, in one transaction, when it ends the step. A restart re-sends a stored command
 * with its own id (the instrument answers with its outcome rather than running it twice); a command that an
 * instrument refused for arriving after its deadline never ran, so a fresh one is safe. A command the registry
 * refused because an interlock tripped never left the daemon either: the step is suspended (the trip holds the
 * campaign), not failed, and sends a fresh command once the campaign is resumed. One an interlock aborted mid-run
 * interrupts the experiment: the campaign's recovery policy (rerun, discard, hold) decides what follows.
 */
import { evaluateTemplate } from '../protocol/value-template.js';
import { Quantity, quantity, toNumberIn, toPlain, type Value } from '../common/quantity.js';
import { parseUnit } from '../common/units.js';
import type { CommandOutcome } from '../lab/instrument-driver.port.js';
import type { ActionNode } from '../protocol/plan.js';
import type { CommandRecord } from '../store/store.records.js';
import { expressionProblem, storable, SUSPENDED, type LeafContext, type LeafResult } from './leaf.js';

/** The instrument refused the command for arriving after its deadline, or an interlock stopped it: it never ran. */
function neverRan(c: Pick<CommandRecord, 'status' | 'error'>): boolean {
  return c.status === 'rejected' && (c.error?.code === 'EXPIRED' || c.error?.code === 'INTERLOCK_TRIPPED');
}

export async function runAction(node: ActionNode, ctx: LeafContext): Promise<LeafResult> {
  const last = ctx.commands[ctx.commands.length - 1];
  let pending: CommandRecord | undefined;
  let startsAttempt = true;
  if (ctx.resume || (last && last.status === 'pending')) {
    startsAttempt = false;
    if (last?.status === 'pending') pending = last;
    else if (last && !neverRan(last)) return { status: 'failed', reason: describeOutcome(last) };
  }
  let params: Record<string, unknown> | undefined;
  if (!pending) {
    try {
      params = evaluateParams(node, ctx);
    } catch (e) {
      if (startsAttempt) await ctx.ports.journal.startStep(ctx.e, ctx.key, 'action');
      return { status: 'failed', reason: expressionProblem(e) };
    }
  }
  let release: () => void;
  try {
    release = await ctx.ports.instruments.reserve(node.instrument, ctx.stop);
  } catch {
    return SUSPENDED;
  }
  // Paused, held or aborted while waiting for the instrument: nothing new is sent.
  if (ctx.stop.aborted && !pending) {
    release();
    return SUSPENDED;
  }
  try {
    let resent = pending !== undefined;
    let cmd = pending ?? (await store(node, ctx, params ?? {}, startsAttempt));
    // A command from before a restart: its driver first tells whether it may go again, finished, or is unknowable.
    let found = pending ? await ctx.ports.instruments.reconcile(node.instrument, cmd) : undefined;
    if (found?.kind === 'unknown') {
      const error = { code: 'OUTCOME_UNKNOWN', message: found.reason };
      await ctx.ports.journal.finishCommand(ctx.e, cmd, { status: 'failed', error });
      return { status: 'interrupted', reason: `${node.instrument}.${node.action}: ${found.reason}` };
    }
    for (;;) {
      // Aborted while the command was being stored: it was never sent and now never is (a driver would send it,
      // since an abort signal that fired before the send reaches no listener).
      if (!resent && ctx.abort.aborted) {
        const error = { code: 'ABORTED', message: 'the campaign was aborted before the command was sent' };
        await ctx.ports.journal.finishCommand(ctx.e, cmd, { status: 'failed', error });
        return SUSPENDED;
      }
      const outcome = found?.kind === 'finished' ? found.outcome : await send(node, ctx, cmd, resent);
      found = undefined;
      const done = outcome.status === 'done';
      const values = done ? resultValues(node, outcome.result) : {};
      const finish = done
        ? { status: 'done' as const, result: outcome.result }
        : { status: outcome.status, error: outcome.error };
      await ctx.ports.journal.finishCommand(
        ctx.e,
        cmd,
        finish,
        done ? { status: 'done', result: storable(values) } : undefined,
      );
      Object.assign(cmd, {
        status: finish.status,
        result: finish.result ?? null,
        error: finish.error ?? null,
      });
      if (done) return { status: 'done', values, journaled: true };
      if (outcome.status === 'rejected' && outcome.error.code === 'INTERLOCK_TRIPPED') return SUSPENDED;
      // An interlock aborted it mid-run: what the sample went through is unknown, so the recovery policy decides
      // (unless the campaign itself is being aborted: then nothing is run again).
      if (outcome.error.code === 'INTERLOCK_ABORTED' && !ctx.abort.aborted)
        return {
          status: 'interrupted',
          reason: `${node.instrument}.${node.action}: ${outcome.error.message}`,
        };
      // Only a command sent before a restart can come back EXPIRED having never run; then a fresh one is safe.
      if (!(resent && outcome.status === 'rejected' && outcome.error.code === 'EXPIRED'))
        return { status: 'failed', reason: `${outcome.error.code}: ${outcome.error.message}` };
      cmd = await store(node, ctx, cmd.params, false);
      resent = false;
    }
  } finally {
    release();
  }
}

function evaluateParams(node: ActionNode, ctx: LeafContext): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, p] of Object.entries(node.params)) {
    const v = evaluateTemplate(p.value, ctx.scope.resolve);
    const where = `${node.instrument}.${node.action}.${name}`;
    out[name] =
      v instanceof Quantity ? toNumberIn(v, p.unit ? parseUnit(p.unit) : undefined, where) : toPlain(v);
  }
  return out;
}

async function store(
  node: ActionNode,
  ctx: LeafContext,
  params: Record<string, unknown>,
  startsAttempt: boolean,
): Promise<CommandRecord> {
  const cmd = await ctx.ports.journal.createCommand(
    ctx.e,
    {
      experimentId: ctx.e.id,
      step: ctx.key,
      attempt: ctx.commands.length + 1,
      instrument: node.instrument,
      action: node.action,
      params,
      deadline: ctx.ports.clock.now() + ctx.ports.dispatchWindowMs,
    },
    startsAttempt,
  );
  ctx.commands.push(cmd);
  return cmd;
}

function send(
  node: ActionNode,
  ctx: LeafContext,
  cmd: CommandRecord,
  resent: boolean,
): Promise<CommandOutcome> {
  return ctx.ports.instruments.execute(
    cmd.instrument,
    {
      id: cmd.id,
      experimentId: cmd.experimentId,
      action: cmd.action,
      params: cmd.params,
      deadline: cmd.deadline,
      timeoutMs: node.timeoutMs,
    },
    {
      signal: ctx.abort,
      alreadySent: resent,
      onSend: (again) => {
        if (again) void ctx.ports.journal.countResend(cmd.id).catch(() => undefined);
      },
    },
  );
}

/** An instrument's results with the units its lab entry declares. */
export function resultValues(node: ActionNode, result: Record<string, unknown>): Record<string, Value> {
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(result)) {
    if (typeof v === 'number') out[k] = quantity(v, node.results[k]);
    else if (typeof v === 'string' || typeof v === 'boolean') out[k] = v;
    else if (Array.isArray(v))
      out[k] = v.map((x) => (typeof x === 'number' ? quantity(x, node.results[k]) : String(x)));
  }
  return out;
}

function describeOutcome(c: CommandRecord): string {
  return c.error ? `${c.error.code}: ${c.error.message}` : c.status;
}
