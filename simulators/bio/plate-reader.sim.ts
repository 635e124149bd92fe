/**
 * A simulated plate reader on the shared bio bench: absorbance and fluorescence endpoint reads, and kinetic
 * absorbance reads at a chamber temperature (the plate approaches it with τ = 2 min). Raw values come back per well
 * (blank not subtracted, as a reader reports them), with summaries across the wells read — mean and standard
 * deviation for replicates, and for kinetic reads each well's initial slope (least squares over the first half of
 * the read, at least 5 points; mOD/min) and its steepest 5-point slope (a reader's usual "max V"). Optics and
 * noise: optics.model.ts.
 */
import {
  SimActionError,
  type SimActionContext,
  type SimModel,
  type SimModelFactory,
} from '../common/sim-model.js';
import { AMBIENT_C, type Plate } from './bio-bench.js';
import { parseWells } from './labware.js';
import { benchOf } from './liquid-handler.sim.js';
import {
  measuredAbsorbance,
  measuredFluorescence,
  SATURATION_OD,
  DETECTOR_MAX,
  trueAbsorbance,
  trueFluorescence,
} from './optics.model.js';

const PLATE_TAU_MS = 2 * 60_000;
const SLOPE_WINDOW = 5;

function stats(values: number[]): { mean: number; sd: number; n: number } {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const sd = n > 1 ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd, n };
}

/** Least-squares slope of y over x. */
export function slope(x: readonly number[], y: readonly number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += ((x[i] as number) - mx) * ((y[i] as number) - my);
    sxx += ((x[i] as number) - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : 0;
}

/** Least-squares slope over the first half of the points (at least 5), mOD/min when times are seconds. */
export function initialSlope(times: readonly number[], od: readonly number[]): number {
  const n = Math.min(times.length, Math.max(SLOPE_WINDOW, Math.ceil(times.length / 2)));
  return slope(times.slice(0, n), od.slice(0, n)) * 60 * 1000;
}

/** The steepest slope over `window` consecutive points, per minute × 1000 (mOD/min) when times are seconds. */
export function maxV(times: readonly number[], od: readonly number[], window = SLOPE_WINDOW): number {
  const w = Math.min(window, times.length);
  let best = -Infinity;
  for (let i = 0; i + w <= times.length; i++)
    best = Math.max(best, slope(times.slice(i, i + w), od.slice(i, i + w)) * 60 * 1000);
  return best === -Infinity ? 0 : best;
}

export const plateReaderSim: SimModelFactory = (options, ctx) => {
  const bench = benchOf(ctx, options);
  let chamberC = AMBIENT_C;

  const take = (plateId: string, now: number): Plate => {
    const plate = bench.plate(plateId);
    if (plate.heldBy) throw new SimActionError('PLATE_BUSY', `plate ${plate.id} is in the ${plate.heldBy}`);
    plate.advance(now);
    return plate;
  };
  const endpoint = async (
    c: SimActionContext,
    plateId: string,
    wellsText: string,
    read: (plate: Plate, well: string) => number,
  ): Promise<Record<string, number>> => {
    const wells = parseWells(wellsText);
    await c.wait(10_000 + 200 * wells.length);
    const plate = take(plateId, c.clock.now());
    const values: Record<string, number> = {};
    for (const w of wells) values[w] = read(plate, w);
    return values;
  };

  const model: SimModel = {
    model: 'labloop-sim plate-reader (absorbance, fluorescence)',
    driftable: ['absorbance', 'fluorescence'],
    telemetryPeriodMs: Number(options['telemetryPeriodMs'] ?? 30_000),
    actions: {
      read_absorbance: {
        params: {
          plate: { type: 'string' },
          wells: { type: 'string' },
          wavelength: { type: 'number', unit: 'nm', min: 230, max: 999 },
        },
        result: {
          mean: { type: 'number', unit: 'OD' },
          sd: { type: 'number', unit: 'OD' },
          n: { type: 'integer' },
          saturated: { type: 'integer' },
        },
        async run(p, c) {
          const lambda = p['wavelength'] as number;
          const values = await endpoint(
            c,
            p['plate'] as string,
            p['wells'] as string,
            (plate, w) =>
              measuredAbsorbance(trueAbsorbance(plate.well(w), lambda), c.rng) + c.bias('absorbance'),
          );
          const v = Object.values(values);
          return { ...stats(v), saturated: v.filter((x) => x > SATURATION_OD).length, values };
        },
      },
      read_fluorescence: {
        params: {
          plate: { type: 'string' },
          wells: { type: 'string' },
          excitation: { type: 'number', unit: 'nm', min: 250, max: 900 },
          emission: { type: 'number', unit: 'nm', min: 280, max: 950 },
          gain: { type: 'number', min: 35, max: 150 },
        },
        result: {
          mean: { type: 'number', unit: 'RFU' },
          sd: { type: 'number', unit: 'RFU' },
          n: { type: 'integer' },
          overflow: { type: 'integer' },
        },
        async run(p, c) {
          const [ex, em, gain] = [p['excitation'], p['emission'], p['gain']] as number[];
          if ((em as number) <= (ex as number) + 10)
            throw new SimActionError('BAD_PARAMETER', 'emission must be at least 10 nm above excitation');
          const values = await endpoint(c, p['plate'] as string, p['wells'] as string, (plate, w) =>
            Math.min(
              DETECTOR_MAX,
              measuredFluorescence(
                trueFluorescence(plate.well(w), ex as number, em as number, gain as number),
                c.rng,
              ) + c.bias('fluorescence'),
            ),
          );
          const v = Object.values(values);
          return { ...stats(v), overflow: v.filter((x) => x >= DETECTOR_MAX).length, values };
        },
      },
      read_kinetic: {
        params: {
          plate: { type: 'string' },
          wells: { type: 'string' },
          wavelength: { type: 'number', unit: 'nm', min: 230, max: 999 },
          interval: { type: 'number', unit: 's', min: 5, max: 3600 },
          duration: { type: 'number', unit: 's', min: 10, max: 86_400 },
          temperature: { type: 'number', unit: 'degC', min: 20, max: 70 },
        },
        result: {
          mean_slope: { type: 'number', unit: 'mOD/min' },
          sd_slope: { type: 'number', unit: 'mOD/min' },
          n: { type: 'integer' },
        },
        async run(p, c) {
          const wells = parseWells(p['wells'] as string);
          const lambda = p['wavelength'] as number;
          const interval = (p['interval'] as number) * 1000;
          const points = Math.floor(((p['duration'] as number) * 1000) / interval) + 1;
          if (points < 2) throw new SimActionError('BAD_PARAMETER', 'duration must cover at least two reads');
          const plate = take(p['plate'] as string, c.clock.now());
          chamberC = p['temperature'] as number;
          const start = c.clock.now();
          plate.heldBy = 'reader';
          plate.moveTo('reader', start, chamberC, PLATE_TAU_MS);
          const times: number[] = [];
          const od: Record<string, number[]> = Object.fromEntries(wells.map((w) => [w, []]));
          try {
            for (let i = 0; i < points; i++) {
              if (i > 0) await c.wait(interval);
              const now = c.clock.now();
              plate.advance(now);
              times.push((now - start) / 1000);
              for (const w of wells)
                od[w]?.push(
                  measuredAbsorbance(trueAbsorbance(plate.well(w), lambda), c.rng) + c.bias('absorbance'),
                );
              c.progress((i + 1) / points);
            }
          } finally {
            plate.moveTo('deck', c.clock.now(), AMBIENT_C, PLATE_TAU_MS);
            plate.heldBy = undefined;
          }
          const slopes: Record<string, number> = {};
          const maxVs: Record<string, number> = {};
          for (const w of wells) {
            slopes[w] = initialSlope(times, od[w] as number[]);
            maxVs[w] = maxV(times, od[w] as number[]);
          }
          const s = stats(Object.values(slopes));
          return { mean_slope: s.mean, sd_slope: s.sd, n: s.n, slopes, max_v: maxVs, times, values: od };
        },
      },
      set_temperature: {
        params: { temperature: { type: 'number', unit: 'degC', min: 20, max: 70 } },
        result: {},
        async run(p, c) {
          chamberC = p['temperature'] as number;
          await c.wait(1000);
          return {};
        },
      },
      calibrate: {
        params: {},
        result: {},
        async run(_p, c) {
          await c.wait(60_000);
          return {};
        },
      },
    },
    readings: {
      temperature: {
        type: 'number',
        unit: 'degC',
        sample: (_now, rng) => Math.round((chamberC + rng.normal(0, 0.05)) * 100) / 100,
      },
    },
  };
  return model;
};
