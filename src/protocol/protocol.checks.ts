/**
 * Checks a protocol before anything moves: every expression reads (names that exist and are ready when the step
 * runs, no cycles, no steps racing in parallel branches), units and types fit the instrument's parameters, no value
 * can leave a hard limit anywhere in the search space, and no step is unreachable. With a lab, instruments, actions,
 * readings and limits are checked too; without one, the protocol's own structure.
 */
import { parseDuration } from '../common/durations.js';
import { ANY, boundsOf, numRange, type Abstract, type AbstractEnv } from '../common/expression-bounds.js';
import { describe, joinLiteral, literal, valueOfSpec } from './abstract-values.js';
import { callsOf, referencesOf, type Node } from '../common/expression.js';
import { ARITY } from '../common/expression-functions.js';
import type { PathKey } from '../common/schema-messages.js';
import { didYouMean } from '../common/suggest.js';
import { parseUnit, sameDimension } from '../common/units.js';
import { checkActionStep } from './action.checks.js';
import type { Finding } from './lab.checks.js';
import type { LabSpec } from './lab.schema.js';
import type { SearchProbe } from './limit-probe.js';
import { ProtocolScope, RESERVED_ROOTS, type Place } from './protocol-scope.js';
import type { InputSpec, StepSpec } from './protocol.schema.js';
import { bindingsFromInputs, checkInput } from './protocol-inputs.js';
import { expressionsOf, parseCondition, parseTemplate, type Template } from './value-template.js';

/** What an input stands for while checking: its range over the search space, and how to name it. */
export interface InputBinding {
  abstract: Abstract;
  /** `parameter temperature (range 25..65 degC)`, `input ph (fixed at 7.5)` … */
  label: string;
}

export interface PartialProtocol {
  inputs?: Record<string, InputSpec>;
  steps?: (StepSpec | undefined)[];
  outputs?: Record<string, string>;
  /** Names (inputs, step ids, measurements) whose definitions failed the schema. */
  broken?: ReadonlySet<string>;
}

export interface ProtocolCheckOptions {
  lab?: LabSpec;
  /** Default: from the protocol's own inputs (their min..max when given, otherwise unknown). */
  inputs?: Record<string, InputBinding>;
  /** Finds the worst point of a campaign's search space for a hard limit. */
  probe?: SearchProbe;
  /** Instruments of the lab that failed its schema: nothing is checked against them. */
  brokenInstruments?: ReadonlySet<string>;
}

export interface ProtocolCheckResult {
  findings: Finding[];
  /** What each output can be (a number with a unit, a list …), for the objectives' check. */
  outputs: Record<string, Abstract>;
}

/** Loop variables in scope: their abstract value and, when known before the run, their values. */
export interface LoopVars {
  abstract: Record<string, Abstract>;
  values: Record<string, (number | string | boolean)[] | undefined>;
}

export function checkProtocol(p: PartialProtocol, o: ProtocolCheckOptions = {}): ProtocolCheckResult {
  return new ProtocolChecker(p, o).run();
}

class ProtocolChecker {
  private readonly findings: Finding[] = [];
  private readonly scope: ProtocolScope;
  private readonly inputs: Record<string, InputBinding>;

  constructor(
    private readonly p: PartialProtocol,
    private readonly o: ProtocolCheckOptions,
  ) {
    this.inputs = { ...(o.inputs ?? bindingsFromInputs(p.inputs ?? {})) };
    for (const name of p.broken ?? []) this.inputs[name] ??= { abstract: ANY, label: `input ${name}` };
    const abstracts = Object.fromEntries(Object.entries(this.inputs).map(([k, v]) => [k, v.abstract]));
    this.scope = new ProtocolScope(
      p.steps ?? [],
      ['steps'],
      abstracts,
      (i, r) => this.reading(i, r),
      p.broken,
    );
  }

  run(): ProtocolCheckResult {
    this.findings.push(...this.scope.duplicates);
    for (const [name, input] of Object.entries(this.p.inputs ?? {}))
      this.findings.push(...checkInput(name, input));
    this.steps(this.p.steps ?? [], ['steps'], { abstract: {}, values: {} });
    const outputs: Record<string, Abstract> = {};
    const end: Place = { order: Infinity, branches: [], loops: [] };
    for (const [name, text] of Object.entries(this.p.outputs ?? {})) {
      outputs[name] = this.template(text, ['outputs', name], this.scope.env(end, {}, false));
    }
    return { findings: this.findings, outputs };
  }

  private add(path: PathKey[], message: string, atKey = false): void {
    this.findings.push({ path, message, atKey });
  }

  /** A live reading: its abstract value, a message when the instrument lacks it, undefined when not an instrument. */
  private reading(instrument: string, reading: string): Abstract | string | undefined {
    const lab = this.o.lab;
    if (!lab || this.o.brokenInstruments?.has(instrument)) return { t: 'any', dynamic: true };
    const inst = lab.instruments[instrument];
    if (!inst) return undefined;
    const spec = inst.readings[reading];
    if (!spec)
      return `${instrument} has no reading "${reading}"${didYouMean(reading, Object.keys(inst.readings))}`;
    return valueOfSpec(spec);
  }

  private steps(steps: readonly (StepSpec | undefined)[], base: PathKey[], loops: LoopVars): void {
    steps.forEach((s, i) => {
      if (s) this.step(s, [...base, i], loops);
    });
  }

  private step(step: StepSpec, path: PathKey[], loops: LoopVars): void {
    const place = this.scope.placeOf(path);
    if (!place) return;
    const env = (readings: boolean): AbstractEnv => this.scope.env(place, loops.abstract, readings, step.id);
    if ('instrument' in step) {
      const broken = this.o.brokenInstruments?.has(step.instrument);
      const ctx = { lab: broken ? undefined : this.o.lab, inputs: this.inputs, probe: this.o.probe, loops };
      const results = checkActionStep(
        step,
        path,
        ctx,
        (v, at) => this.templateDetail(v, at, env(true)),
        (f) => this.findings.push(f),
      );
      this.setResults(step.id, results);
    } else if ('wait' in step) this.wait(step, path, env(true), loops);
    else if ('read' in step) this.read(step, path, env(true));
    else if ('manual' in step) this.template(step.manual, [...path, 'manual'], env(true));
    else if ('parallel' in step)
      step.parallel.forEach((c, b) => this.step(c, [...path, 'parallel', b], loops));
    else if ('repeat' in step) this.repeat(step, path, loops, env(true));
    else if ('if' in step) this.condition(step, path, loops, env(true));
    else if ('steps' in step) this.steps(step.steps, [...path, 'steps'], loops);
  }

  private setResults(id: string | undefined, results: Record<string, Abstract> | undefined): void {
    const def = id ? this.scope.steps.get(id) : undefined;
    if (def && results) def.results = results;
  }

  /** Whether a condition names a live reading (`reader.temperature`): only those change while a step waits. */
  private readsInstrument(node: Node, loops: LoopVars): boolean {
    const lab = this.o.lab;
    return referencesOf(node).some((p) => {
      const [root] = p;
      if (root === undefined || p.length < 2 || RESERVED_ROOTS.includes(root) || root in loops.abstract)
        return false;
      return !lab || lab.instruments[root] !== undefined || this.o.brokenInstruments?.has(root) === true;
    });
  }

  private wait(
    step: Extract<StepSpec, { wait: unknown }>,
    path: PathKey[],
    env: AbstractEnv,
    loops: LoopVars,
  ): void {
    const w = step.wait;
    if (typeof w === 'object') {
      const v = this.conditionValue(w.until, [...path, 'wait', 'until'], env);
      const c = parseCondition(w.until);
      if (v && c.ok && !this.readsInstrument(c.node, loops))
        this.add(
          [...path, 'wait', 'until'],
          'the condition cannot change while waiting: it reads no instrument',
        );
      if (step.timeout === undefined)
        this.add(path, 'a wait on a condition needs a timeout (every wait has one), e.g. timeout: 10 min');
      return;
    }
    if (step.timeout !== undefined)
      this.add([...path, 'timeout'], 'a wait for a fixed time cannot time out: remove timeout', true);
    if (typeof w === 'number') return;
    if (!w.includes('${')) {
      if (parseDuration(w) === undefined)
        this.add(
          [...path, 'wait'],
          `expected a duration such as 30 s, 5 min or \${inputs.incubation}, got "${w}"`,
        );
      return;
    }
    const v = this.template(w, [...path, 'wait'], env);
    if (v.t === 'any') return;
    const time = parseUnit('s');
    if (v.t !== 'num' || (v.unit && time && !sameDimension(v.unit, time)))
      this.add([...path, 'wait'], `expected a duration (a time, or a number of seconds), got ${describe(v)}`);
    else if (!v.dynamic && v.hi < 0) this.add([...path, 'wait'], 'the wait is negative for every point');
  }

  private read(step: Extract<StepSpec, { read: unknown }>, path: PathKey[], env: AbstractEnv): void {
    const parts = step.read.split('.');
    const isStep = parts[0] === 'steps';
    if (isStep && (parts.length !== 4 || parts[2] !== 'result')) {
      this.add([...path, 'read'], `expected steps.<id>.result.<name>, got "${step.read}"`);
      return;
    }
    if (!isStep && parts.length !== 2) {
      this.add(
        [...path, 'read'],
        `expected instrument.reading or steps.<id>.result.<name>, got "${step.read}"`,
      );
      return;
    }
    let v: Abstract;
    if (
      !isStep &&
      this.o.lab &&
      !this.o.lab.instruments[parts[0] as string] &&
      !this.o.brokenInstruments?.has(parts[0] as string)
    ) {
      const name = parts[0] as string;
      this.add(
        [...path, 'read'],
        `no instrument "${name}" in the lab${didYouMean(name, Object.keys(this.o.lab.instruments))}`,
      );
      v = ANY;
    } else {
      const r = env(parts);
      if ('error' in r) {
        this.add([...path, 'read'], r.error);
        v = ANY;
      } else v = r;
    }
    const m = this.scope.measurements.get(step.into);
    if (m && JSON.stringify(m.path) === JSON.stringify(path)) m.abstract = v;
    this.setResults(step.id, { value: v });
  }

  private repeat(
    step: Extract<StepSpec, { repeat: unknown }>,
    path: PathKey[],
    loops: LoopVars,
    env: AbstractEnv,
  ): void {
    const r = step.repeat;
    let elem: Abstract = numRange(1, Infinity);
    let values: (number | string | boolean)[] | undefined;
    let empty = false;
    if ('in' in r) {
      if (Array.isArray(r.in)) {
        values = r.in;
        empty = r.in.length === 0;
        elem = values.reduce<Abstract | undefined>((a, x) => joinLiteral(a, x), undefined) ?? ANY;
      } else {
        const v = this.template(r.in, [...path, 'repeat', 'in'], env);
        if (v.t === 'list') {
          elem = v.elem;
          empty = !v.dynamic && v.maxLen === 0;
        } else if (v.t !== 'any') this.add([...path, 'repeat', 'in'], `expected a list, got ${describe(v)}`);
        else elem = ANY;
      }
    } else if (typeof r.times === 'number') {
      empty = r.times === 0;
      elem = numRange(1, r.times);
      values = Array.from({ length: Math.min(r.times, 64) }, (_, i) => i + 1);
    } else {
      const v = this.template(r.times, [...path, 'repeat', 'times'], env);
      if (v.t === 'num') {
        if (v.unit) this.add([...path, 'repeat', 'times'], `expected a count, got ${describe(v)}`);
        empty = !v.dynamic && v.hi < 1;
        elem = numRange(1, Math.max(1, v.hi), undefined, v.dynamic);
      } else if (v.t !== 'any')
        this.add([...path, 'repeat', 'times'], `expected a count, got ${describe(v)}`);
    }
    if (empty) this.add([...path, 'steps'], 'unreachable: the repetition runs zero times');
    const variable = r.for;
    const inner: LoopVars = { abstract: { ...loops.abstract }, values: { ...loops.values } };
    if (variable !== undefined) {
      if (
        RESERVED_ROOTS.includes(variable) ||
        variable in loops.abstract ||
        this.o.lab?.instruments[variable]
      )
        this.add(
          [...path, 'repeat', 'for'],
          `the loop variable "${variable}" hides ${variable in loops.abstract ? 'an outer loop variable' : RESERVED_ROOTS.includes(variable) ? `${variable}.…` : 'an instrument'}; choose another name`,
        );
      inner.abstract[variable] = elem;
      inner.values[variable] = values;
    }
    this.steps(step.steps, [...path, 'steps'], inner);
  }

  private condition(
    step: Extract<StepSpec, { if: unknown }>,
    path: PathKey[],
    loops: LoopVars,
    env: AbstractEnv,
  ): void {
    const v = this.conditionValue(step.if, [...path, 'if'], env);
    if (v && !v.dynamic && v.t === 'bool') {
      const over = this.o.probe ? 'for every point of the search space' : 'always';
      if (!v.canTrue) this.add([...path, 'then'], `unreachable: "${step.if}" is false ${over}`);
      if (!v.canFalse && step.else) this.add([...path, 'else'], `unreachable: "${step.if}" is true ${over}`);
    }
    this.steps(step.then, [...path, 'then'], loops);
    if (step.else) this.steps(step.else, [...path, 'else'], loops);
  }

  private conditionValue(text: string, path: PathKey[], env: AbstractEnv): Abstract | undefined {
    const c = parseCondition(text);
    if (!c.ok) {
      this.add(path, c.problem.message);
      return undefined;
    }
    const v = this.expression(c.node, path, env);
    if (v.t === 'str' || v.t === 'list')
      this.add(path, `expected a condition (true or false), got ${describe(v)}`);
    return v;
  }

  /** Checks a template value; returns what it evaluates to. */
  private template(value: unknown, path: PathKey[], env: AbstractEnv): Abstract {
    return this.templateDetail(value, path, env).abstract;
  }

  private templateDetail(
    value: unknown,
    path: PathKey[],
    env: AbstractEnv,
  ): { abstract: Abstract; template?: Template } {
    const t = parseTemplate(value);
    if (!t.ok) {
      this.add(path, t.problem.message);
      return { abstract: ANY };
    }
    const template = t.template;
    if (template.kind === 'literal') return { abstract: literal(template.value), template };
    const values = expressionsOf(template).map((e) => this.expression(e.node, path, env));
    if (template.kind === 'text')
      return { abstract: { t: 'str', dynamic: values.some((v) => v.dynamic) }, template };
    return { abstract: values[0] ?? ANY, template };
  }

  private expression(node: Node, path: PathKey[], env: AbstractEnv): Abstract {
    for (const call of callsOf(node)) {
      const arity = ARITY[call.fn];
      if (!arity) this.add(path, `unknown function ${call.fn}()${didYouMean(call.fn, Object.keys(ARITY))}`);
      else if (call.args.length < arity[0] || call.args.length > arity[1])
        this.add(
          path,
          `${call.fn}() takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]} or more`} argument${arity[1] === 1 ? '' : 's'}, got ${call.args.length}`,
        );
    }
    const { value, problems } = boundsOf(node, env);
    for (const p of problems) this.add(path, p.message);
    return value;
  }
}

export { bindingsFromInputs, valueProblem } from './protocol-inputs.js';
