/**
 * The simulated bio bench that the liquid handler, the incubator/shaker and the plate reader share: plates and their
 * wells, reservoirs of stock solutions, tips, and where each plate is (deck, incubator, reader) at what temperature.
 * Wells evolve lazily: whenever a plate is touched, its wells are integrated up to now under the plate's
 * temperature history (a first-order approach to wherever it stands) and shaking.
 */
import { SimActionError } from '../common/sim-model.js';
import { initialQ, nutrients } from './growth.model.js';
import { ALL_WELLS, Liquid, type Amounts } from './labware.js';
import { advanceWell } from './well-kinetics.js';

export const AMBIENT_C = 25;

export type Place = 'deck' | 'incubator' | 'reader';

export interface StockSpec {
  /** Volume in the reservoir, mL. */
  volume: number;
  /** Concentrations of species (see well-kinetics.ts for units). */
  conc: Amounts;
  /** pH and buffer strength (mM) of a buffered stock. */
  ph?: number;
  buffer?: number;
}

/** The stocks on the deck by default: what the enzyme assay and the growth-medium campaign draw from. */
export const DEFAULT_STOCKS: Readonly<Record<string, StockSpec>> = {
  water: { volume: 200, conc: {} },
  // Universal buffer at its two ends; mixing them sets the pH.
  buffer_ph4: { volume: 100, conc: {}, ph: 4, buffer: 100 },
  buffer_ph10: { volume: 100, conc: {}, ph: 10, buffer: 100 },
  substrate: { volume: 50, conc: { substrate: 20 } }, // chromogenic substrate, 20 mM
  enzyme: { volume: 20, conc: { enzyme: 1 } }, // 1 µM
  glucose: { volume: 50, conc: { glucose: 200 } }, // 20 % w/v
  yeast_extract: { volume: 50, conc: { yeast_extract: 50 } },
  tryptone: { volume: 50, conc: { tryptone: 100 } },
  m9_salts: { volume: 50, conc: { ammonium: 5, salts: 80 }, ph: 7, buffer: 200 }, // 5× M9
  iptg: { volume: 10, conc: { inducer: 10 } }, // 10 mM
  cells: { volume: 20, conc: { cells: 2 } }, // washed overnight culture, OD600 2
};

/** A stock as a liquid: nutrient pools follow from its recipe; cells arrive with a fresh lag state. */
export function stockLiquid(spec: StockSpec): Liquid {
  const conc: Amounts = { ...spec.conc };
  const n = nutrients({
    glucose: conc['glucose'] ?? 0,
    yeastExtract: conc['yeast_extract'] ?? 0,
    tryptone: conc['tryptone'] ?? 0,
    ammonium: conc['ammonium'] ?? 0,
    salts: conc['salts'] ?? 0,
  });
  if (n.carbon > 0) conc['carbon'] = n.carbon;
  if (n.nitrogen > 0) conc['nitrogen'] = n.nitrogen;
  if (conc['cells']) conc['cells_q'] = conc['cells'] * initialQ();
  return Liquid.of(spec.volume * 1000, conc, spec.ph, spec.buffer ?? 0);
}

interface Thermal {
  since: number;
  from: number;
  target: number;
  tauMs: number;
}

export class Plate {
  readonly wells = new Map<string, Liquid>(ALL_WELLS.map((w) => [w, new Liquid()]));
  place: Place = 'deck';
  rpm = 0;
  /** The instrument holding the plate right now (incubating, reading). */
  heldBy?: string;
  updatedAt: number;
  private thermal: Thermal;

  constructor(
    readonly id: string,
    now: number,
  ) {
    this.updatedAt = now;
    this.thermal = { since: now, from: AMBIENT_C, target: AMBIENT_C, tauMs: 1 };
  }

  /** Plate temperature at lab time t (ms). */
  temperature(t: number): number {
    const { since, from, target, tauMs } = this.thermal;
    return target + (from - target) * Math.exp(-Math.max(0, t - since) / tauMs);
  }

  well(name: string): Liquid {
    const w = this.wells.get(name);
    if (!w) throw new SimActionError('BAD_WELL', `plate ${this.id} has no well ${name}`);
    return w;
  }

  /** Integrates every active well up to `now`. */
  advance(now: number): void {
    const dt = (now - this.updatedAt) / 1000;
    if (dt <= 0) return;
    const start = this.updatedAt;
    for (const w of this.wells.values())
      advanceWell(w, dt, (s) => this.temperature(start + s * 1000), this.rpm);
    this.updatedAt = now;
  }

  /** Moves the plate to a place whose temperature it approaches with time constant `tauMs`. */
  moveTo(place: Place, now: number, targetC: number, tauMs: number, rpm = 0): void {
    this.advance(now);
    this.thermal = { since: now, from: this.temperature(now), target: targetC, tauMs: Math.max(1, tauMs) };
    this.place = place;
    this.rpm = rpm;
  }
}

export class Reservoir {
  constructor(
    readonly name: string,
    readonly liquid: Liquid,
    /** What a channel cannot reach at the bottom, µL. */
    readonly deadVolume = 500,
  ) {}
}

export class BioBench {
  readonly plates = new Map<string, Plate>();
  readonly reservoirs = new Map<string, Reservoir>();
  tips: number;

  constructor(
    stocks: Readonly<Record<string, StockSpec>> = DEFAULT_STOCKS,
    readonly tipCapacity = 960,
  ) {
    this.tips = tipCapacity;
    for (const [name, spec] of Object.entries(stocks))
      this.reservoirs.set(name, new Reservoir(name, stockLiquid(spec)));
  }

  /** A fresh empty plate at `id`, replacing (discarding) any plate there. */
  newPlate(id: string, now: number): Plate {
    const old = this.plates.get(id);
    if (old?.heldBy) throw new SimActionError('PLATE_BUSY', `plate ${id} is in the ${old.heldBy}`);
    const plate = new Plate(id, now);
    this.plates.set(id, plate);
    return plate;
  }

  plate(id: string): Plate {
    const p = this.plates.get(id);
    if (!p) {
      const known = [...this.plates.keys()];
      throw new SimActionError(
        'UNKNOWN_LABWARE',
        `no plate "${id}" on the bench${known.length ? ` (plates: ${known.join(', ')})` : '; place one with new_plate'}`,
      );
    }
    return p;
  }

  reservoir(name: string): Reservoir {
    const r = this.reservoirs.get(name);
    if (!r)
      throw new SimActionError(
        'UNKNOWN_LABWARE',
        `no reservoir "${name}" (reservoirs: ${[...this.reservoirs.keys()].join(', ')})`,
      );
    return r;
  }

  /** Refills (or creates) a reservoir with its stock. */
  fill(name: string, stock: StockSpec): void {
    this.reservoirs.set(name, new Reservoir(name, stockLiquid(stock)));
  }
}
