/**
 * A dry run of a compiled protocol: the timeline one experiment would follow with given inputs — each step's start,
 * instrument, action, resolved parameters and expected duration (the lab's `duration` of each action) — without
 * touching anything. Instruments serve one step at a time (their capacity), so parallel steps on one instrument
 * queue as they would. What only the run can tell (results, readings, operators) is shown as such.
 */
import { evaluateNode } from '../common/expression.js';
import { formatDuration } from '../common/durations.js';
import { formatValue, isList, Quantity, toNumberIn, truthy, type Value } from '../common/quantity.js';
import { parseUnit } from '../common/units.js';
import { childKey, type CompiledProtocol, type PlanNode } from './plan.js';
import { evaluateTemplate, type Template } from './value-template.js';

export interface TimelineRow {
  key: string;
  /** Lab ms from the start of the experiment. */
  start: number;
  /** Expected duration, lab ms; undefined when only the run can tell. */
  duration?: number;
  kind: PlanNode['kind'];
  /** `reader.measure`, `wait 2.0 min`, `manual: Load the plate` … */
  what: string;
  params?: Record<string, string>;
  note?: string;
}

export interface Timeline {
  rows: TimelineRow[];
  /** Expected duration of the whole experiment (steps of unknown duration count as nothing). */
  total: number;
  /** Expected busy time of each instrument. */
  busy: Record<string, number>;
  /** Steps whose duration only the run can tell. */
  unknown: string[];
}

type Scope = (path: readonly string[]) => Value | undefined;

export function timeline(
  plan: CompiledProtocol,
  inputs: Record<string, Value>,
  capacity: (instrument: string) => number = () => 1,
): Timeline {
  const t = new Walker(capacity);
  const root: Scope = (p) => (p[0] === 'inputs' && p.length === 2 ? inputs[p[1] as string] : undefined);
  const end = t.sequence(plan.steps, undefined, 0, root);
  return { rows: t.rows, total: end, busy: t.busy, unknown: t.unknown };
}

class Walker {
  readonly rows: TimelineRow[] = [];
  readonly busy: Record<string, number> = {};
  readonly unknown: string[] = [];
  /** Per instrument, when each of its slots is free again. */
  private readonly slots = new Map<string, number[]>();

  constructor(private readonly capacity: (instrument: string) => number) {}

  sequence(nodes: readonly PlanNode[], parent: string | undefined, start: number, scope: Scope): number {
    let t = start;
    for (const n of nodes) t = this.node(n, childKey(parent, n.segment), t, scope);
    return t;
  }

  private node(n: PlanNode, key: string, start: number, scope: Scope): number {
    switch (n.kind) {
      case 'action': {
        const slots =
          this.slots.get(n.instrument) ?? new Array<number>(Math.max(1, this.capacity(n.instrument))).fill(0);
        this.slots.set(n.instrument, slots);
        const slot = slots.indexOf(Math.min(...slots));
        const begin = Math.max(start, slots[slot] ?? 0);
        const d = n.expectedMs;
        if (d === undefined)
          this.unknown.push(`${key} (${n.instrument}.${n.action} has no duration in the lab)`);
        slots[slot] = begin + (d ?? 0);
        this.busy[n.instrument] = (this.busy[n.instrument] ?? 0) + (d ?? 0);
        const params = Object.fromEntries(
          Object.entries(n.params).map(([p, v]) => [p, show(v.value, scope, v.unit)]),
        );
        this.rows.push({
          key,
          start: begin,
          ...(d === undefined ? {} : { duration: d }),
          kind: n.kind,
          what: `${n.instrument}.${n.action}`,
          params,
        });
        return begin + (d ?? 0);
      }
      case 'wait': {
        if (n.until) {
          this.unknown.push(`${key} (until ${n.until.text})`);
          this.rows.push({
            key,
            start,
            kind: n.kind,
            what: `wait until ${n.until.text}${n.until.forMs > 0 ? ` for ${formatDuration(n.until.forMs)}` : ''}`,
            note: n.timeoutMs === undefined ? undefined : `at most ${formatDuration(n.timeoutMs)}`,
          });
          return start + n.until.forMs;
        }
        const d = waitMs(n.duration, scope);
        if (d === undefined) this.unknown.push(`${key} (a wait that depends on the run)`);
        this.rows.push({
          key,
          start,
          ...(d === undefined ? {} : { duration: d }),
          kind: n.kind,
          what: d === undefined ? 'wait' : `wait ${formatDuration(d)}`,
        });
        return start + (d ?? 0);
      }
      case 'read': {
        const source =
          'reading' in n.source
            ? `${n.source.reading.instrument}.${n.source.reading.name}`
            : n.source.result.join('.');
        this.rows.push({ key, start, duration: 0, kind: n.kind, what: `read ${source} → ${n.into}` });
        return start;
      }
      case 'manual':
        this.unknown.push(`${key} (an operator)`);
        this.rows.push({
          key,
          start,
          kind: n.kind,
          what: `manual: ${show(n.prompt, scope)}`,
          note: `at most ${formatDuration(n.timeoutMs)}`,
        });
        return start;
      case 'sequence':
        return this.sequence(n.steps, key, start, scope);
      case 'parallel':
        return Math.max(
          start,
          ...n.branches.map((b) => this.node(b, childKey(key, b.segment), start, scope)),
        );
      case 'repeat': {
        let items: Value[] | undefined;
        try {
          const v =
            'list' in n.over ? evaluateTemplate(n.over.list, scope) : evaluateTemplate(n.over.times, scope);
          items = isList(v)
            ? [...v]
            : Array.from(
                { length: Math.max(0, Math.floor(toNumberIn(v, undefined, 'times'))) },
                (_, i) => i + 1,
              );
        } catch {
          items = undefined;
        }
        if (!items) {
          this.unknown.push(`${key} (repeats as often as the run decides; shown once)`);
          items = ['?'];
        }
        let t = start;
        const ends: number[] = [];
        items.forEach((item, i) => {
          const inner: Scope = (p) =>
            n.variable !== undefined && p.length === 1 && p[0] === n.variable ? item : scope(p);
          const end = this.sequence(n.body, `${key}[${i + 1}]`, n.parallel ? start : t, inner);
          ends.push(end);
          t = end;
        });
        return n.parallel ? Math.max(start, ...ends) : t;
      }
      case 'if': {
        let branch: 'then' | 'else';
        try {
          branch = truthy(evaluateNode(n.condition, scope)) ? 'then' : 'else';
        } catch {
          branch = 'then';
          this.rows.push({
            key,
            start,
            kind: n.kind,
            what: `if ${n.text}`,
            note: 'decided at run time; showing "then"',
          });
        }
        return this.sequence(branch === 'then' ? n.then : n.else, `${key}/${branch}`, start, scope);
      }
    }
  }
}

const SECOND = parseUnit('s');

function waitMs(d: number | Template | undefined, scope: Scope): number | undefined {
  if (d === undefined) return 0;
  if (typeof d === 'number') return d;
  try {
    const v = evaluateTemplate(d, scope);
    return (v instanceof Quantity ? toNumberIn(v, SECOND, 'wait') : toNumberIn(v, undefined, 'wait')) * 1000;
  } catch {
    return undefined;
  }
}

/** A parameter as it would be sent, or what it depends on. */
function show(t: Template, scope: Scope, unit?: string): string {
  try {
    const v = evaluateTemplate(t, scope);
    if (v instanceof Quantity && unit) {
      const u = parseUnit(unit);
      if (u) return `${short(toNumberIn(v, u, 'param'))} ${unit}`;
    }
    if (v instanceof Quantity) return `${short(v.value)} ${v.unit.text}`;
    if (typeof v === 'number') return unit ? `${short(v)} ${unit}` : short(v);
    return formatValue(v);
  } catch {
    return t.kind === 'expr' ? `\${${t.source.trim()}} (at run time)` : '(at run time)';
  }
}

function short(n: number): string {
  return String(Number(n.toPrecision(4)));
}
