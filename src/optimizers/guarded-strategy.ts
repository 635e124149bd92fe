/**
 * The wall between a strategy and the campaign loop. Whatever a strategy does — throw, hang up an HTTP request,
 * return garbage — the loop sees either valid suggestions or a LabError with code STRATEGY_FAILED that names the
 * strategy and what went wrong; the campaign is then held for a human, and the daemon keeps running. Valid means:
 * at most `count` suggestions with fresh, distinct ids and parameters that are exactly the search space's, inside
 * their bounds, integers where integers are due, choices among the choices, and every constraint satisfied.
 */
import { describeError, isLabError, LabError } from '../common/lab-error.js';
import type {
  Constraint,
  Observation,
  ParamValue,
  ParameterDef,
  SearchSpace,
  Strategy,
  Suggestion,
} from './strategy.port.js';

export class GuardedStrategy implements Strategy {
  private readonly seen = new Set<string>();

  constructor(
    private readonly inner: Strategy,
    /** How the strategy is named in messages: `bayes`, `module ./my-strategy.js`, `external http://…`. */
    readonly label: string,
    private readonly space: SearchSpace,
    private readonly constraints: readonly Constraint[],
  ) {}

  async ask(count: number, pending: Suggestion[]): Promise<Suggestion[]> {
    let result: unknown;
    try {
      result = await this.inner.ask(count, pending);
    } catch (e) {
      throw this.failure('ask', e);
    }
    const suggestions = this.check(result, count, pending);
    for (const s of suggestions) this.seen.add(s.id);
    return suggestions;
  }

  async tell(observations: Observation[]): Promise<void> {
    for (const o of observations) this.seen.add(o.suggestionId);
    try {
      await this.inner.tell(observations);
    } catch (e) {
      throw this.failure('tell', e);
    }
  }

  private failure(method: string, e: unknown): LabError {
    if (isLabError(e) && e.code === 'STRATEGY_FAILED') return e;
    return new LabError(
      'STRATEGY_FAILED',
      `strategy ${this.label} failed in ${method}(): ${describeError(e)}`,
    );
  }

  private check(result: unknown, count: number, pending: readonly Suggestion[]): Suggestion[] {
    const bad = (why: string): LabError =>
      new LabError('STRATEGY_FAILED', `strategy ${this.label} proposed an invalid suggestion: ${why}`);
    if (!Array.isArray(result)) throw bad(`expected a list of suggestions, got ${typeof result}`);
    if (result.length > count) throw bad(`asked for ${count}, got ${result.length}`);
    const taken = new Set([...this.seen, ...pending.map((p) => p.id)]);
    return result.map((raw: unknown, i) => {
      const s = raw as Partial<Suggestion> | null;
      if (typeof s?.id !== 'string' || s.id === '') throw bad(`suggestion ${i + 1} has no id`);
      if (taken.has(s.id)) throw bad(`id ${s.id} was used before`);
      taken.add(s.id);
      const problem = paramsProblem(this.space, s.params);
      if (problem) throw bad(`${s.id}: ${problem}`);
      const params = s.params as Suggestion['params'];
      const broken = this.constraints.find((c) => !c.holds(params));
      if (broken) throw bad(`${s.id} violates the constraint ${broken.expr}`);
      return { id: s.id, params: { ...params } };
    });
  }
}

/** Why `params` is not a point of the space, or undefined when it is. */
export function paramsProblem(space: SearchSpace, params: unknown): string | undefined {
  if (typeof params !== 'object' || params === null) return 'no params';
  const values = params as Record<string, unknown>;
  for (const key of Object.keys(values)) if (!(key in space)) return `unknown parameter ${key}`;
  for (const [name, def] of Object.entries(space)) {
    const why = valueProblem(def, values[name]);
    if (why) return `${name}: ${why}`;
  }
  return undefined;
}

function valueProblem(def: ParameterDef, v: unknown): string | undefined {
  if (v === undefined) return 'missing';
  if (def.type === 'categorical')
    return def.choices.includes(v as ParamValue)
      ? undefined
      : `expected one of ${def.choices.map((c) => JSON.stringify(c)).join(', ')}, got ${JSON.stringify(v)}`;
  if (typeof v !== 'number' || !Number.isFinite(v)) return `expected a number, got ${JSON.stringify(v)}`;
  if (def.type === 'int' && !Number.isInteger(v)) return `expected an integer, got ${v}`;
  if (v < def.min || v > def.max) return `${v} is outside ${def.min}..${def.max}`;
  return undefined;
}
