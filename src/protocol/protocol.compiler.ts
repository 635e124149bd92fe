/**
 * Compiles a checked protocol against its lab into a plan (plan.ts): expressions parsed once, durations in lab ms,
 * units and typical durations from the lab's actions, failure policies spelled out. Runs only on documents that
 * passed every check, so a failure here is a bug, reported as such.
 */
import { parseDuration } from '../common/durations.js';
import { LabError } from '../common/lab-error.js';
import type { LabSpec } from './lab.schema.js';
import { DEFAULT_TIMEOUT_MS, type CompiledProtocol, type FailurePolicy, type PlanNode } from './plan.js';
import type { FailurePolicySpec, ProtocolSpec, StepSpec } from './protocol.schema.js';
import { parseCondition, parseTemplate, type Template } from './value-template.js';

export function compileProtocol(
  protocol: Pick<ProtocolSpec, 'inputs' | 'steps' | 'outputs'>,
  lab: LabSpec,
): CompiledProtocol {
  const readings: CompiledProtocol['readings'] = {};
  for (const [id, inst] of Object.entries(lab.instruments))
    for (const [name, r] of Object.entries(inst.readings))
      readings[`${id}.${name}`] = { instrument: id, name, unit: r.unit };
  return {
    inputs: protocol.inputs,
    steps: compileSteps(protocol.steps, 'steps', lab),
    outputs: Object.fromEntries(
      Object.entries(protocol.outputs).map(([k, v]) => [k, template(v, `outputs.${k}`)]),
    ),
    readings,
  };
}

function compileSteps(steps: readonly StepSpec[], where: string, lab: LabSpec): PlanNode[] {
  return steps.map((s, i) => compileStep(s, i, `${where}[${i}]`, lab));
}

function compileStep(step: StepSpec, index: number, where: string, lab: LabSpec): PlanNode {
  const base = { segment: step.id ?? `#${index + 1}`, ...(step.id ? { id: step.id } : {}), where };
  if ('instrument' in step) {
    const action = lab.instruments[step.instrument]?.actions[step.action];
    if (!action) throw bug(where, `${step.instrument}.${step.action} is not in the lab`);
    const expected = action.duration === undefined ? undefined : parseDuration(action.duration);
    return {
      ...base,
      kind: 'action',
      policy: policy(step.onFailure),
      instrument: step.instrument,
      action: step.action,
      params: Object.fromEntries(
        Object.entries(step.params).map(([p, v]) => [
          p,
          { value: template(v, `${where}.params.${p}`), unit: action.params[p]?.unit },
        ]),
      ),
      results: Object.fromEntries(Object.entries(action.result).map(([r, spec]) => [r, spec.unit])),
      timeoutMs: ms(step.timeout) ?? DEFAULT_TIMEOUT_MS.action,
      ...(expected === undefined ? {} : { expectedMs: expected }),
    };
  }
  if ('wait' in step) {
    const w = step.wait;
    const timeoutMs = ms(step.timeout);
    if (typeof w === 'object') {
      const c = parseCondition(w.until);
      if (!c.ok) throw bug(where, c.problem.message);
      return {
        ...base,
        kind: 'wait',
        policy: policy(step.onFailure),
        until: { condition: c.node, text: w.until, forMs: ms(w.for) ?? 0 },
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      };
    }
    const fixed = ms(w);
    return {
      ...base,
      kind: 'wait',
      policy: policy(step.onFailure),
      duration: fixed ?? template(w, `${where}.wait`),
    };
  }
  if ('read' in step) {
    const parts = step.read.split('.');
    const source =
      parts[0] === 'steps'
        ? { result: parts }
        : {
            reading: {
              instrument: parts[0] ?? '',
              name: parts[1] ?? '',
              unit: lab.instruments[parts[0] ?? '']?.readings[parts[1] ?? '']?.unit,
            },
          };
    return {
      ...base,
      kind: 'read',
      policy: policy(step.onFailure),
      source,
      into: step.into,
      timeoutMs: ms(step.timeout) ?? DEFAULT_TIMEOUT_MS.read,
    };
  }
  if ('manual' in step)
    return {
      ...base,
      kind: 'manual',
      policy: policy(step.onFailure),
      prompt: template(step.manual, `${where}.manual`),
      timeoutMs: ms(step.timeout) ?? DEFAULT_TIMEOUT_MS.manual,
    };
  if ('parallel' in step)
    return {
      ...base,
      kind: 'parallel',
      branches: step.parallel.map((s, i) => compileStep(s, i, `${where}.parallel[${i}]`, lab)),
    };
  if ('repeat' in step) {
    const r = step.repeat;
    return {
      ...base,
      kind: 'repeat',
      ...(r.for === undefined ? {} : { variable: r.for }),
      over:
        'in' in r
          ? { list: template(r.in, `${where}.repeat.in`) }
          : { times: template(r.times, `${where}.repeat.times`) },
      parallel: r.parallel,
      body: compileSteps(step.steps, `${where}.steps`, lab),
    };
  }
  if ('if' in step) {
    const c = parseCondition(step.if);
    if (!c.ok) throw bug(where, c.problem.message);
    return {
      ...base,
      kind: 'if',
      condition: c.node,
      text: step.if,
      then: compileSteps(step.then, `${where}.then`, lab),
      else: compileSteps(step.else ?? [], `${where}.else`, lab),
    };
  }
  return { ...base, kind: 'sequence', steps: compileSteps(step.steps, `${where}.steps`, lab) };
}

function template(v: unknown, where: string): Template {
  const t = parseTemplate(v);
  if (!t.ok) throw bug(where, t.problem.message);
  return t.template;
}

function ms(v: string | number | undefined): number | undefined {
  return v === undefined ? undefined : parseDuration(v);
}

function policy(p: FailurePolicySpec | undefined): FailurePolicy {
  if (p === undefined) return { retries: 0, backoffMs: 0, factor: 1, then: 'fail' };
  if (typeof p === 'string') return { retries: 0, backoffMs: 0, factor: 1, then: p };
  return { retries: p.retry, backoffMs: parseDuration(p.backoff) ?? 0, factor: p.factor, then: p.then };
}

function bug(where: string, message: string): LabError {
  return new LabError('DOCUMENT_INVALID', `${where}: cannot compile a checked protocol (${message})`);
}
