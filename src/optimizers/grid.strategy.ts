/**
 * Grid search: `options.levels` evenly spaced values per numeric parameter (default 5; a number, or one per parameter
 * name; every integer when there are fewer; log-spaced on log scales), every choice of a categorical. Points are
 * visited in a seeded random order (`options.order: shuffled`, the default, so a partial budget still covers the
 * space) or in order (`sequential`); points that violate a constraint are skipped. Suggestion k is the k-th feasible
 * point of that order; once the grid is exhausted the strategy proposes nothing more.
 */
import { LabError } from '../common/lab-error.js';
import { deriveSeed, SeededRandom } from '../common/seeded-random.js';
import { SpaceModel, type Params } from './space/space-model.js';
import type {
  Observation,
  ParamValue,
  ParameterDef,
  Strategy,
  StrategyFactory,
  StrategyInit,
  Suggestion,
} from './strategy.port.js';
import { SuggestionLedger, suggestionId } from './suggestion-ledger.js';

/** Larger grids are refused: a shuffled order of them would not fit in memory comfortably. */
export const MAX_GRID_POINTS = 1_000_000;

export class GridStrategy implements Strategy {
  private readonly ledger = new SuggestionLedger();
  private readonly model: SpaceModel;
  private readonly axes: { name: string; values: ParamValue[] }[];
  private readonly order: Uint32Array;
  private readonly feasible: number[] = [];
  private scanned = 0;

  constructor(init: StrategyInit) {
    this.model = new SpaceModel(init.space, init.constraints);
    this.axes = this.model.free.map((f) => ({
      name: f.name,
      values: axisValues(f.def, levelsFor(init.options, f.name)),
    }));
    const size = this.axes.reduce((n, a) => n * a.values.length, 1);
    if (size > MAX_GRID_POINTS)
      throw new LabError(
        'STRATEGY_FAILED',
        `grid: ${size} points is more than ${MAX_GRID_POINTS}; lower options.levels`,
        'strategy.options.levels',
      );
    this.order = Uint32Array.from({ length: size }, (_, i) => i);
    const order = init.options['order'] ?? 'shuffled';
    if (order !== 'shuffled' && order !== 'sequential')
      throw new LabError(
        'STRATEGY_FAILED',
        `grid: options.order must be shuffled or sequential, got ${JSON.stringify(order)}`,
        'strategy.options.order',
      );
    if (order === 'shuffled') shuffle(this.order, new SeededRandom(deriveSeed(init.seed, 'grid')));
  }

  /** Number of grid points, feasible or not. */
  get size(): number {
    return this.order.length;
  }

  async ask(count: number, pending: Suggestion[]): Promise<Suggestion[]> {
    const k0 = this.ledger.nextIndex(pending);
    const out: Suggestion[] = [];
    for (let k = k0; k < k0 + count; k++) {
      const params = this.point(k);
      if (!params) break;
      out.push({ id: suggestionId(k), params });
    }
    return out;
  }

  async tell(observations: Observation[]): Promise<void> {
    this.ledger.record(observations);
  }

  private point(k: number): Params | undefined {
    while (this.feasible.length <= k && this.scanned < this.order.length) {
      const i = this.order[this.scanned++]!;
      if (this.model.isFeasible(this.at(i))) this.feasible.push(i);
    }
    const index = this.feasible[k];
    return index === undefined ? undefined : this.at(index);
  }

  /** The grid point with mixed-radix index i (first parameter varies slowest). */
  private at(i: number): Params {
    const free: Params = {};
    for (let a = this.axes.length - 1; a >= 0; a--) {
      const axis = this.axes[a]!;
      free[axis.name] = axis.values[i % axis.values.length]!;
      i = Math.floor(i / axis.values.length);
    }
    return this.model.withDependents(free);
  }
}

function levelsFor(options: Record<string, unknown>, name: string): number {
  const raw = options['levels'] ?? 5;
  const value = typeof raw === 'object' && raw !== null ? ((raw as Record<string, unknown>)[name] ?? 5) : raw;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1)
    throw new LabError(
      'STRATEGY_FAILED',
      `grid: levels for ${name} must be a positive integer, got ${JSON.stringify(value)}`,
      'strategy.options.levels',
    );
  return value;
}

export function axisValues(def: ParameterDef, levels: number): ParamValue[] {
  if (def.type === 'categorical') return [...def.choices];
  if (def.type === 'int' && def.max - def.min + 1 <= levels)
    return Array.from({ length: def.max - def.min + 1 }, (_, i) => def.min + i);
  if (levels === 1 || def.max === def.min)
    return [def.log ? Math.sqrt(def.min * def.max) : (def.min + def.max) / 2];
  const values = Array.from({ length: levels }, (_, i) => {
    const t = i / (levels - 1);
    const v = def.log
      ? Math.exp(Math.log(def.min) + t * (Math.log(def.max) - Math.log(def.min)))
      : def.min + t * (def.max - def.min);
    return i === levels - 1 ? def.max : i === 0 ? def.min : v;
  });
  return def.type === 'int' ? [...new Set(values.map(Math.round))] : values;
}

function shuffle(a: Uint32Array, rng: SeededRandom): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
}

export const gridStrategy: StrategyFactory = (init) => new GridStrategy(init);
