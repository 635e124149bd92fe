/**
 * What a name in a protocol expression can mean at a given step, before anything runs: `inputs.x`,
 * `steps.<id>.result.<name>` of a step that has finished by then, `measurements.<name>`, a loop variable, or a live
 * reading `instrument.reading`. A first pass records every step id and measurement with its place (order, parallel
 * branches, enclosing repetitions); resolving a reference then tells forward references, cycles and steps running at
 * the same time apart from what a step may use — and gives the abstract value (range, unit) it stands for.
 */
import { referencesOf } from '../common/expression.js';
import { ANY, numRange, type Abstract, type AbstractEnv } from '../common/expression-bounds.js';
import type { PathKey } from '../common/schema-messages.js';
import { didYouMean } from '../common/suggest.js';
import { stepKind, type StepKind, type StepSpec } from './protocol.schema.js';
import { expressionsOf, parseCondition, parseTemplate } from './value-template.js';

export interface LoopInfo {
  key: string;
  variable?: string;
  minLen: number;
  maxLen: number;
}

/** Where a step stands: its order of appearance, the parallel branches and repetitions around it. */
export interface Place {
  order: number;
  /** [parallel group, branch] from the outside in. */
  branches: [string, number][];
  loops: LoopInfo[];
}

export interface StepDef {
  id: string;
  path: PathKey[];
  place: Place;
  kind: StepKind;
  /** The step ids its own expressions use. */
  uses: Set<string>;
  /** Its results and their abstract values, once known (actions: from the lab; reads: `value`). */
  results?: Record<string, Abstract>;
}

export interface MeasurementDef {
  name: string;
  path: PathKey[];
  place: Place;
  abstract?: Abstract;
}

export const RESERVED_ROOTS = ['inputs', 'steps', 'measurements', 'experiment'];

export class ProtocolScope {
  readonly steps = new Map<string, StepDef>();
  readonly measurements = new Map<string, MeasurementDef>();
  /** Duplicate ids and measurement names found by the first pass. */
  readonly duplicates: { path: PathKey[]; message: string; atKey: boolean }[] = [];
  private order = 0;

  constructor(
    steps: readonly (StepSpec | undefined)[],
    base: PathKey[],
    private readonly inputs: Record<string, Abstract>,
    private readonly readings: (instrument: string, reading: string) => Abstract | string | undefined,
    /** Step ids and measurement names of steps that failed the schema: they exist, nothing more is known. */
    private readonly broken: ReadonlySet<string> = new Set(),
  ) {
    this.collect(steps, base, { order: 0, branches: [], loops: [] });
  }

  private collect(steps: readonly (StepSpec | undefined)[], base: PathKey[], outer: Place): void {
    steps.forEach((step, i) => this.collectOne(step, [...base, i], outer));
  }

  private collectOne(step: StepSpec | undefined, path: PathKey[], outer: Place): void {
    if (!step) return;
    const place: Place = { ...outer, order: ++this.order };
    this.places.set(key(path), place);
    const kind = stepKind(step);
    if (!kind) return;
    if (step.id) {
      if (this.steps.has(step.id))
        this.duplicates.push({
          path: [...path, 'id'],
          message: `step id "${step.id}" is already used`,
          atKey: false,
        });
      else this.steps.set(step.id, { id: step.id, path, place, kind, uses: stepIdsUsed(step) });
    }
    if ('into' in step) {
      if (this.measurements.has(step.into))
        this.duplicates.push({
          path: [...path, 'into'],
          message: `measurement "${step.into}" is already read by another step`,
          atKey: false,
        });
      else this.measurements.set(step.into, { name: step.into, path, place });
    }
    if ('parallel' in step)
      step.parallel.forEach((child, b) =>
        this.collectOne(child, [...path, 'parallel', b], {
          ...place,
          branches: [...place.branches, [key(path), b]],
        }),
      );
    else if ('repeat' in step)
      this.collect(step.steps, [...path, 'steps'], {
        ...place,
        loops: [...place.loops, loopInfo(step, key(path))],
      });
    else if ('if' in step) {
      this.collect(step.then, [...path, 'then'], place);
      if (step.else) this.collect(step.else, [...path, 'else'], place);
    } else if ('steps' in step) this.collect(step.steps, [...path, 'steps'], place);
  }

  /** The place the first pass gave the step at `path`. */
  placeOf(path: PathKey[]): Place | undefined {
    return this.places.get(key(path));
  }

  private readonly places = new Map<string, Place>();

  /**
   * The environment for expressions of the step at `place` (with the loop variables around it). `allowReadings`:
   * live readings are allowed (conditions and action parameters, not outputs).
   */
  env(place: Place, loopVars: Record<string, Abstract>, allowReadings: boolean, self?: string): AbstractEnv {
    return (path) => this.resolve(path, place, loopVars, allowReadings, self);
  }

  private resolve(
    path: readonly string[],
    place: Place,
    loopVars: Record<string, Abstract>,
    allowReadings: boolean,
    self: string | undefined,
  ): Abstract | { error: string } {
    const [root, a, b, c, ...rest] = path;
    if (root === undefined) return ANY;
    if (path.length === 1 && root in loopVars) return loopVars[root] ?? ANY;
    if (root === 'inputs') {
      if (a === undefined) return { error: 'expected inputs.<name>' };
      const v = this.inputs[a];
      if (!v) return { error: `no input "${a}"${didYouMean(a, Object.keys(this.inputs))}` };
      return index(v, path.slice(2));
    }
    if (root === 'experiment') {
      // The running experiment: its number in the campaign (1, 2, …) and its id — e.g. a plate of its own.
      if (a === 'seq' && path.length === 2) return numRange(1, Infinity, undefined, true);
      if (a === 'id' && path.length === 2) return { t: 'str', dynamic: true };
      return { error: `cannot use ${path.join('.')}: expected experiment.seq or experiment.id` };
    }
    if (root === 'measurements') {
      if (a === undefined) return { error: 'expected measurements.<name>' };
      const m = this.measurements.get(a);
      if (!m && this.broken.has(a)) return ANY;
      if (!m) return { error: `no measurement "${a}"${didYouMean(a, [...this.measurements.keys()])}` };
      const problem = this.ordering(m.place, place, `measurement ${a}`);
      if (problem) return { error: problem };
      return index(listify(m.abstract ?? ANY, m.place, place), path.slice(2));
    }
    if (root === 'steps') {
      if (a === undefined || b !== 'result' || c === undefined)
        return { error: `cannot use ${path.join('.')}: expected steps.<id>.result.<name>` };
      const s = this.steps.get(a);
      if (!s && this.broken.has(a)) return ANY;
      if (!s) return { error: `no step with id "${a}"${didYouMean(a, [...this.steps.keys()])}` };
      if (a === self) return { error: `step ${a} cannot use its own result` };
      const problem = this.ordering(s.place, place, `step ${a}`, s, self);
      if (problem) return { error: problem };
      if (!s.results) return ANY;
      const r = s.results[c];
      if (!r) {
        const names = Object.keys(s.results);
        return {
          error:
            names.length === 0
              ? `step ${a} (${s.kind}) has no results`
              : `step ${a} has no result "${c}"${didYouMean(c, names)}`,
        };
      }
      return index(listify(r, s.place, place), rest);
    }
    if (a !== undefined) {
      const reading = this.readings(root, a);
      if (typeof reading === 'string') return { error: reading };
      if (reading) {
        if (!allowReadings)
          return {
            error: `outputs cannot use the live reading ${root}.${a}: read it into a measurement first`,
          };
        return index(reading, path.slice(2));
      }
    }
    const roots = [...RESERVED_ROOTS, ...Object.keys(loopVars)];
    return {
      error: `unknown name "${path.join('.')}": expected inputs.<name>, steps.<id>.result.<name>, measurements.<name>, experiment.seq, a loop variable or instrument.reading${didYouMean(root, roots)}`,
    };
  }

  /** Why the step at `here` cannot use what `there` produced, if it cannot. */
  private ordering(
    there: Place,
    here: Place,
    what: string,
    def?: StepDef,
    self?: string,
  ): string | undefined {
    for (const [group, branch] of there.branches) {
      const mine = here.branches.find(([g]) => g === group);
      if (mine && mine[1] !== branch)
        return `${what} runs at the same time as this step (another branch of a parallel group)`;
    }
    if (there.order >= here.order) {
      if (def && self && def.uses.has(self))
        return `a cycle: this step (${self}) uses ${what}, which uses steps.${self}`;
      return `${what} runs after this step; a step can use only what earlier steps produced`;
    }
    return undefined;
  }
}

function key(path: PathKey[]): string {
  return path.join('/');
}

/** Lists inside a repeat become one value per repetition when used outside it. */
function listify(v: Abstract, there: Place, here: Place): Abstract {
  let out = v;
  for (let i = there.loops.length - 1; i >= 0; i--) {
    const loop = there.loops[i] as LoopInfo;
    if (here.loops.some((l) => l.key === loop.key)) continue;
    out = { t: 'list', elem: out, minLen: loop.minLen, maxLen: loop.maxLen, dynamic: out.dynamic };
  }
  return out;
}

/** `x[0]`, `x[1]` … on a list. */
function index(v: Abstract, rest: readonly string[]): Abstract | { error: string } {
  let out = v;
  for (const k of rest) {
    if (out.t === 'list' && /^\d+$/.test(k)) out = out.elem;
    else if (out.t === 'any') return out;
    else return { error: `cannot index ${k} into ${out.t === 'list' ? 'a list' : 'a single value'}` };
  }
  return out;
}

function loopInfo(step: Extract<StepSpec, { repeat: unknown }>, k: string): LoopInfo {
  const r = step.repeat;
  if ('in' in r) {
    const n = Array.isArray(r.in) ? r.in.length : undefined;
    return { key: k, variable: r.for, minLen: n ?? 0, maxLen: n ?? Infinity };
  }
  const n = typeof r.times === 'number' ? r.times : undefined;
  return { key: k, variable: r.for, minLen: n ?? 0, maxLen: n ?? Infinity };
}

/** The step ids a step's own expressions use (not those of the steps inside it). */
export function stepIdsUsed(step: StepSpec): Set<string> {
  const out = new Set<string>();
  for (const text of expressionTexts(step)) {
    const t = text.condition ? parseCondition(text.value) : parseTemplate(text.value);
    if (!t.ok) continue;
    const nodes = 'node' in t ? [t.node] : expressionsOf(t.template).map((e) => e.node);
    for (const node of nodes)
      for (const p of referencesOf(node)) if (p[0] === 'steps' && p[1] !== undefined) out.add(p[1]);
  }
  if ('read' in step) {
    const [root, id] = step.read.split('.');
    if (root === 'steps' && id !== undefined) out.add(id);
  }
  return out;
}

/** The texts of a step that hold expressions, with whether each is a condition (bare) or a template (`${}`). */
export function expressionTexts(step: StepSpec): { value: string; condition: boolean }[] {
  const out: { value: string; condition: boolean }[] = [];
  const template = (v: unknown): void => {
    if (typeof v === 'string') out.push({ value: v, condition: false });
  };
  if ('instrument' in step) Object.values(step.params).forEach(template);
  else if ('wait' in step) {
    if (typeof step.wait === 'object') out.push({ value: step.wait.until, condition: true });
    else template(step.wait);
  } else if ('manual' in step) template(step.manual);
  else if ('repeat' in step) template('in' in step.repeat ? step.repeat.in : step.repeat.times);
  else if ('if' in step) out.push({ value: step.if, condition: true });
  return out;
}
