/**
 * The names an experiment's expressions see while it runs: its inputs, the results of steps done so far, named
 * measurements, loop variables, and live readings. Each repetition gets a child scope; when a repeat ends, what its
 * repetitions produced becomes a list in the enclosing scope (`steps.read.result.rate` is one value per replicate).
 */
import { isList, type Value } from '../common/quantity.js';

export interface ScopeRoot {
  inputs: Readonly<Record<string, Value>>;
  /** The running experiment: `experiment.seq` and `experiment.id`. */
  experiment: { seq: number; id: string };
  /** A live reading with its unit, or undefined when there is no valid one. */
  reading(instrument: string, name: string): Value | undefined;
}

export class RunScope {
  private readonly results = new Map<string, Record<string, Value>>();
  private readonly measured = new Map<string, Value>();

  constructor(
    private readonly root: ScopeRoot,
    private readonly parent?: RunScope,
    private readonly loopVar?: readonly [string, Value],
  ) {}

  child(loopVar?: readonly [string, Value]): RunScope {
    return new RunScope(this.root, this, loopVar);
  }

  setResults(id: string, values: Record<string, Value>): void {
    this.results.set(id, values);
  }

  setMeasurement(name: string, value: Value): void {
    this.measured.set(name, value);
  }

  private resultOf(id: string): Record<string, Value> | undefined {
    return this.results.get(id) ?? this.parent?.resultOf(id);
  }

  private measurementOf(name: string): Value | undefined {
    return this.measured.get(name) ?? this.parent?.measurementOf(name);
  }

  private variable(name: string): Value | undefined {
    if (this.loopVar?.[0] === name) return this.loopVar[1];
    return this.parent?.variable(name);
  }

  resolve = (path: readonly string[]): Value | undefined => {
    const [root, a, b, c, ...rest] = path;
    if (root === undefined) return undefined;
    if (path.length === 1) return this.variable(root);
    if (a === undefined) return undefined;
    if (root === 'inputs') return index(this.root.inputs[a], path.slice(2));
    if (root === 'experiment')
      return path.length === 2 && (a === 'seq' || a === 'id') ? this.root.experiment[a] : undefined;
    if (root === 'measurements') return index(this.measurementOf(a), path.slice(2));
    if (root === 'steps') {
      if (b !== 'result' || c === undefined) return undefined;
      return index(this.resultOf(a)?.[c], rest);
    }
    return index(this.root.reading(root, a), path.slice(2));
  };

  /** What the repetitions produced, as lists in this scope (in repetition order; missing ones left out). */
  absorb(iterations: readonly RunScope[]): void {
    const ids = new Set(iterations.flatMap((s) => [...s.results.keys()]));
    for (const id of ids) {
      const names = new Set(iterations.flatMap((s) => Object.keys(s.results.get(id) ?? {})));
      const values: Record<string, Value> = {};
      for (const n of names) {
        values[n] = iterations.flatMap((s) => {
          const v = s.results.get(id)?.[n];
          return v === undefined ? [] : [v];
        });
      }
      this.results.set(id, values);
    }
    const measurements = new Set(iterations.flatMap((s) => [...s.measured.keys()]));
    for (const m of measurements)
      this.measured.set(
        m,
        iterations.flatMap((s) => {
          const v = s.measured.get(m);
          return v === undefined ? [] : [v];
        }),
      );
  }
}

function index(v: Value | undefined, rest: readonly string[]): Value | undefined {
  let out = v;
  for (const k of rest) {
    if (out === undefined || !isList(out) || !/^\d+$/.test(k)) return undefined;
    out = out[Number(k)];
  }
  return out;
}
