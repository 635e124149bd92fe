/**
 * Runs one experiment's compiled protocol (src/protocol/plan.ts): steps in order, parallel groups at once,
 * repetitions over their lists, conditions — each leaf journaled by its stable key, so a restart skips what is done
 * and continues what was running. A failing leaf follows its policy: retry (with backoff), skip, fail the experiment,
 * or hold the campaign for a human (journaled with the step, in one transaction). Plain code over ports: the loop
 * calls `run`, nothing here knows about campaigns beyond holding one.
 */
import { Logger } from '@nestjs/common';
import { evaluateNode } from '../common/expression.js';
import { formatDuration } from '../common/durations.js';
import { isList, isValue, quantity, toPlain, truthy, type Value } from '../common/quantity.js';
import {
  childKey,
  type CompiledProtocol,
  type IfNode,
  type LeafNode,
  type PlanNode,
  type RepeatNode,
} from '../protocol/plan.js';
import { evaluateTemplate } from '../protocol/value-template.js';
import type { StepRecord } from '../store/store.records.js';
import { runAction } from './action-leaf.js';
import type { ExecutionControl, ExecutionPorts, ExperimentHistory, StepOwner } from './execution.ports.js';
import { expressionProblem, pause, storable, type LeafContext, type LeafResult } from './leaf.js';
import { runManual } from './manual-leaf.js';
import { runRead } from './read-leaf.js';
import { RunScope } from './run-scope.js';
import { runWait } from './wait-leaf.js';

export type OutputValue = number | string | boolean | OutputValue[];

export type RunOutcome =
  | { status: 'executed'; outputs: Record<string, OutputValue>; units: Record<string, string> }
  | { status: 'failed'; reason: string }
  /** A step's policy held the campaign (already journaled); the experiment resumes when a human resumes it. */
  | { status: 'held'; reason: string }
  /** A crash left a command whose outcome cannot be known; the campaign's recovery policy decides. */
  | { status: 'interrupted'; reason: string }
  /** Stopped by a drain; the experiment resumes from where it stands later. */
  | { status: 'suspended' };

type Flow =
  { status: 'ok' } | { status: 'failed' | 'held' | 'interrupted'; reason: string } | { status: 'suspended' };

const OK: Flow = { status: 'ok' };
const SUSPENDED: Flow = { status: 'suspended' };

interface Run {
  e: StepOwner;
  plan: CompiledProtocol;
  history: ExperimentHistory;
  control: ExecutionControl;
  /** Aborted when a step failed or held: the other branches start nothing new. */
  halt: AbortController;
  stop: AbortSignal;
}

export class PlanRunner {
  private readonly logger = new Logger('execution');

  constructor(private readonly ports: ExecutionPorts) {}

  async run(
    e: StepOwner & { seq?: number },
    plan: CompiledProtocol,
    inputs: Record<string, Value>,
    control: ExecutionControl,
  ): Promise<RunOutcome> {
    // Inputs come from strategies and API callers: refuse anything that is not a value before any step uses it.
    for (const [name, v] of Object.entries(inputs as Record<string, unknown>)) {
      if (!isValue(v))
        return { status: 'failed', reason: `input ${name} is not a number, text, true/false or list` };
    }
    const halt = new AbortController();
    const run: Run = {
      e,
      plan,
      history: this.ports.journal.history(e),
      control,
      halt,
      stop: AbortSignal.any([control.drain, control.abort, halt.signal]),
    };
    const scope = new RunScope({
      inputs,
      experiment: { seq: e.seq ?? 0, id: e.id },
      reading: (i, n) => this.reading(plan, i, n),
    });
    const flow = await this.sequence(run, plan.steps, undefined, scope);
    if (flow.status !== 'ok') return flow;
    const outputs: Record<string, OutputValue> = {};
    const units: Record<string, string> = {};
    for (const [name, t] of Object.entries(plan.outputs)) {
      try {
        const v = evaluateTemplate(t, scope.resolve);
        outputs[name] = toPlain(v) as OutputValue;
        const unit = unitOf(v);
        if (unit) units[name] = unit;
      } catch (err) {
        return { status: 'failed', reason: `output ${name}: ${expressionProblem(err)}` };
      }
    }
    return { status: 'executed', outputs, units };
  }

  private reading(plan: CompiledProtocol, instrument: string, name: string): Value | undefined {
    const spec = plan.readings[`${instrument}.${name}`];
    if (!spec) return undefined;
    const s = this.ports.readings.latest(instrument, name);
    if (!s) return undefined;
    return typeof s.value === 'number' ? quantity(s.value, spec.unit) : (s.value as Value);
  }

  private async sequence(
    run: Run,
    nodes: readonly PlanNode[],
    parent: string | undefined,
    scope: RunScope,
  ): Promise<Flow> {
    for (const node of nodes) {
      const flow = await this.node(run, node, childKey(parent, node.segment), scope);
      if (flow.status !== 'ok') return flow;
    }
    return OK;
  }

  private async node(run: Run, node: PlanNode, key: string, scope: RunScope): Promise<Flow> {
    switch (node.kind) {
      case 'action':
      case 'wait':
      case 'read':
      case 'manual':
        return this.leaf(run, node, key, scope);
      case 'sequence':
        return this.sequence(run, node.steps, key, scope);
      case 'parallel':
        return combine(
          await Promise.all(node.branches.map((b) => this.node(run, b, childKey(key, b.segment), scope))),
        );
      case 'repeat':
        return this.repeat(run, node, key, scope);
      case 'if':
        return this.condition(run, node, key, scope);
    }
  }

  private async repeat(run: Run, node: RepeatNode, key: string, scope: RunScope): Promise<Flow> {
    const decided = await this.decide(run, key, 'repeat', () => {
      if ('list' in node.over) {
        const v = evaluateTemplate(node.over.list, scope.resolve);
        if (!isList(v)) throw new Error(`expected a list to repeat over, got ${String(toPlain(v))}`);
        // Items keep their units through the journal: `[1 mL, 2 mL]` comes back as quantities after a restart.
        return { items: toPlain(v), units: v.map((x) => unitOf(x) ?? null) };
      }
      const n = toPlain(evaluateTemplate(node.over.times, scope.resolve));
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0)
        throw new Error(`expected a count, got ${String(n)}`);
      return { items: Array.from({ length: n }, (_, i) => i + 1) };
    });
    if ('failed' in decided) return decided.failed;
    const stored = decided.value as { items: unknown[]; units?: (string | null)[] };
    const items = stored.items.map((x, i) => revive(x, stored.units?.[i] ?? undefined));
    const iterations = items.map((item) =>
      scope.child(node.variable === undefined ? undefined : [node.variable, item]),
    );
    const one = (i: number): Promise<Flow> =>
      this.sequence(run, node.body, `${key}[${i + 1}]`, iterations[i] as RunScope);
    let flow: Flow;
    if (node.parallel) flow = combine(await Promise.all(iterations.map((_, i) => one(i))));
    else {
      flow = OK;
      for (let i = 0; i < iterations.length && flow.status === 'ok'; i++) flow = await one(i);
    }
    if (flow.status === 'ok') scope.absorb(iterations);
    return flow;
  }

  private async condition(run: Run, node: IfNode, key: string, scope: RunScope): Promise<Flow> {
    const decided = await this.decide(run, key, 'if', () => ({
      branch: truthy(evaluateNode(node.condition, scope.resolve)) ? 'then' : 'else',
    }));
    if ('failed' in decided) return decided.failed;
    const branch = (decided.value as { branch: 'then' | 'else' }).branch;
    return this.sequence(run, branch === 'then' ? node.then : node.else, `${key}/${branch}`, scope);
  }

  /** A control decision: replayed from the journal, or made now and journaled before it is acted on. */
  private async decide(
    run: Run,
    key: string,
    kind: string,
    make: () => unknown,
  ): Promise<{ value: unknown } | { failed: Flow }> {
    const seen = run.history.steps.get(key);
    if (seen?.status === 'done') return { value: seen.result };
    if (run.stop.aborted) return { failed: SUSPENDED };
    let value: unknown;
    try {
      value = make();
    } catch (err) {
      return {
        failed: {
          status: 'failed',
          reason: `step ${key}: ${err instanceof Error ? err.message : String(err)}`,
        },
      };
    }
    await this.ports.journal.decide(run.e, key, kind, value);
    return { value };
  }

  /** A leaf with its failure policy. */
  private async leaf(run: Run, node: LeafNode, key: string, scope: RunScope): Promise<Flow> {
    const record = run.history.steps.get(key);
    if (record?.status === 'done') {
      this.keep(node, scope, restore(node, record.result));
      return OK;
    }
    if (record?.status === 'skipped') return OK;
    if (record?.status === 'failed')
      return { status: 'failed', reason: `step ${key}: ${record.error ?? 'failed'}` };
    let resume: StepRecord | undefined = record?.status === 'running' ? record : undefined;
    let attempts = resume ? (record?.attempts ?? 1) : 0;
    const commands = run.history.commands.get(key) ?? [];
    for (;;) {
      if (!resume) {
        if (run.stop.aborted) return SUSPENDED;
        attempts++;
      }
      const ctx: LeafContext = {
        e: run.e,
        key,
        scope,
        plan: run.plan,
        ports: this.ports,
        ...(resume ? { resume } : {}),
        commands,
        stop: run.stop,
        abort: run.control.abort,
      };
      const r = await this.attempt(node, ctx);
      resume = undefined;
      if (r.status === 'suspended') return SUSPENDED;
      if (r.status === 'interrupted') {
        await this.ports.journal.finishStep(run.e, key, { status: 'failed', error: r.reason });
        run.halt.abort(new Error('interrupted'));
        return { status: 'interrupted', reason: `step ${key}: ${r.reason}` };
      }
      if (r.status === 'done') {
        if (!r.journaled)
          await this.ports.journal.finishStep(run.e, key, { status: 'done', result: storable(r.values) });
        this.keep(node, scope, r.values);
        return OK;
      }
      const policy = node.policy;
      if (attempts <= policy.retries) {
        const wait = policy.backoffMs * policy.factor ** (attempts - 1);
        this.logger.warn(
          `step ${key} failed (attempt ${attempts} of ${policy.retries + 1}): ${r.reason}; retrying${wait > 0 ? ` in ${formatDuration(wait)}` : ''}`,
        );
        if (!(await pause(this.ports, wait, run.stop))) return SUSPENDED;
        continue;
      }
      return await this.giveUp(run, node, key, r.reason, attempts);
    }
  }

  private attempt(node: LeafNode, ctx: LeafContext): Promise<LeafResult> {
    switch (node.kind) {
      case 'action':
        return runAction(node, ctx);
      case 'wait':
        return runWait(node, ctx);
      case 'read':
        return runRead(node, ctx);
      case 'manual':
        return runManual(node, ctx);
    }
  }

  private async giveUp(
    run: Run,
    node: LeafNode,
    key: string,
    reason: string,
    attempts: number,
  ): Promise<Flow> {
    const what = node.kind === 'action' ? ` (${node.instrument}.${node.action})` : '';
    const tried = attempts > 1 ? ` after ${attempts} attempts` : '';
    const message = `step ${key}${what} failed${tried}: ${reason}`;
    switch (node.policy.then) {
      case 'skip':
        await this.ports.journal.finishStep(run.e, key, { status: 'skipped', error: reason });
        this.logger.warn(`${message}; skipped`);
        return OK;
      case 'hold':
        run.control.onHold?.(message);
        await this.ports.journal.finishStep(
          run.e,
          key,
          { status: 'held', error: reason },
          { reason: message },
        );
        run.halt.abort(new Error('held'));
        return { status: 'held', reason: message };
      case 'fail':
        await this.ports.journal.finishStep(run.e, key, { status: 'failed', error: reason });
        run.halt.abort(new Error('failed'));
        return { status: 'failed', reason: message };
    }
  }

  /** Makes what a leaf produced visible to later steps. */
  private keep(node: LeafNode, scope: RunScope, values: Record<string, Value>): void {
    if (node.id) scope.setResults(node.id, values);
    if (node.kind === 'read' && values['value'] !== undefined)
      scope.setMeasurement(node.into, values['value']);
  }
}

/** The worst of several flows: held, then interrupted, then failed, then suspended. */
function combine(flows: readonly Flow[]): Flow {
  return (
    flows.find((f) => f.status === 'held') ??
    flows.find((f) => f.status === 'interrupted') ??
    flows.find((f) => f.status === 'failed') ??
    flows.find((f) => f.status === 'suspended') ??
    OK
  );
}

/** A journaled step's values, with their units back. */
function restore(node: LeafNode, stored: unknown): Record<string, Value> {
  const s = stored as { values?: Record<string, unknown>; units?: Record<string, string> } | null;
  const out: Record<string, Value> = {};
  for (const [k, v] of Object.entries(s?.values ?? {}))
    out[k] = revive(v, s?.units?.[k] ?? (node.kind === 'action' ? node.results[k] : undefined));
  return out;
}

function revive(v: unknown, unit: string | undefined): Value {
  if (typeof v === 'number') return quantity(v, unit);
  if (Array.isArray(v)) return v.map((x) => revive(x, unit));
  return v as Value;
}

function unitOf(v: Value): string | undefined {
  if (typeof v === 'object' && !isList(v)) return v.unit.text;
  if (isList(v) && v.length > 0) return unitOf(v[0] as Value);
  return undefined;
}
