/**
 * Labware of the simulated bio bench: 96-well plate geometry, well addresses, and liquids as volumes carrying
 * amounts of species. A species' amount is concentration × µL (mM·µL = nmol, µM·µL = pmol, g/L·µL = µg, OD·µL for
 * cells), so mixing is adding amounts and volumes.
 *
 * pH mixes weighted by buffer capacity: each liquid carries `buffer` (mM of buffering species) and `ph_x_buffer`;
 * unbuffered additions (water, enzyme, substrate stocks) barely move it. An approximation that holds for mixing a
 * universal buffer from its acid and base stocks, which is how the assays set pH.
 */
import { SimActionError } from '../common/sim-model.js';

export const ROWS = 'ABCDEFGH';
export const COLUMNS = 12;
/** A 96-well plate well holds about 360 µL; 350 µL is the working maximum. */
export const WELL_MAX_UL = 350;
/** Bottom area of a flat 96-well well, cm² (6.4 mm diameter): path length = volume / area. */
export const WELL_AREA_CM2 = 0.32;

export const ALL_WELLS: readonly string[] = [...ROWS].flatMap((r) =>
  Array.from({ length: COLUMNS }, (_, c) => `${r}${c + 1}`),
);

function cell(well: string): [number, number] {
  const m = /^([A-H])(1[0-2]|[1-9])$/.exec(well.trim().toUpperCase());
  if (!m) throw new SimActionError('BAD_WELL', `"${well}" is not a well of a 96-well plate (A1–H12)`);
  return [ROWS.indexOf(m[1] as string), Number(m[2]) - 1];
}

/**
 * Wells from text: `A1`, `A1,A2,B7`, or blocks `A1-A3` (a row), `A1-C1` (a column), `A1-B2` (A1, A2, B1, B2).
 * Row-major order, no duplicates.
 */
export function parseWells(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const [from, to] = p.split('-');
    const [r1, c1] = cell(from ?? '');
    const [r2, c2] = to === undefined ? [r1, c1] : cell(to);
    for (let r = Math.min(r1, r2); r <= Math.max(r1, r2); r++)
      for (let c = Math.min(c1, c2); c <= Math.max(c1, c2); c++) {
        const w = `${ROWS[r]}${c + 1}`;
        if (!out.includes(w)) out.push(w);
      }
  }
  if (out.length === 0) throw new SimActionError('BAD_WELL', 'no wells given');
  return out;
}

export type Amounts = Record<string, number>;

export class Liquid {
  constructor(
    public volume = 0,
    public amounts: Amounts = {},
  ) {}

  /** Concentration of a species (its amount per µL). */
  conc(species: string): number {
    return this.volume > 0 ? (this.amounts[species] ?? 0) / this.volume : 0;
  }

  /** pH from the buffer-weighted mix; 7 when unbuffered. */
  get ph(): number {
    const b = this.amounts['buffer'] ?? 0;
    return b > 1e-12 ? (this.amounts['ph_x_buffer'] ?? 0) / b : 7;
  }

  /** A liquid of `volume` µL with the given concentrations (and pH, when buffered). */
  static of(volume: number, conc: Amounts, ph?: number, bufferMM = 0): Liquid {
    const amounts: Amounts = {};
    for (const [k, c] of Object.entries(conc)) amounts[k] = c * volume;
    if (ph !== undefined && bufferMM > 0) {
      amounts['buffer'] = bufferMM * volume;
      amounts['ph_x_buffer'] = ph * bufferMM * volume;
    }
    return new Liquid(volume, amounts);
  }

  /** Takes `volume` µL out (well mixed), returning it. */
  take(volume: number): Liquid {
    const v = Math.min(volume, this.volume);
    const f = this.volume > 0 ? v / this.volume : 0;
    const out: Amounts = {};
    for (const [k, a] of Object.entries(this.amounts)) {
      out[k] = a * f;
      this.amounts[k] = a - a * f;
    }
    this.volume -= v;
    return new Liquid(v, out);
  }

  add(other: Liquid): void {
    this.volume += other.volume;
    for (const [k, a] of Object.entries(other.amounts)) this.amounts[k] = (this.amounts[k] ?? 0) + a;
  }
}
