/**
 * A plate reader running a kinetic enzyme assay: `measure` takes temperature, pH and substrate concentration, reads
 * absorbance over a short kinetic window and returns the initial rate. Noise as a plate reader's: ±1 % of the signal
 * plus ±0.003 OD (BioTek Synergy HT figures, instruments.md §6.4), seeded.
 */
import { parseDuration } from '../../src/common/durations.js';
import type { SimModel, SimModelFactory } from '../common/sim-model.js';
import { initialRate } from './enzyme-kinetics.model.js';

/** Absorbance per µM of product in a 96-well plate (ε·l with l ≈ 0.55 cm), OD/µM. */
const OD_PER_UM = 0.0012;

export const enzymeReaderSim: SimModelFactory = (options) => {
  const measureMs = parseDuration((options['measureTime'] as string | number | undefined) ?? '1 s') ?? 1000;
  const enzymeUM = Number(options['enzyme'] ?? 0.05);
  let plateTemp = 25;
  const model: SimModel = {
    model: 'labloop-sim enzyme-reader',
    telemetryPeriodMs: 1000,
    actions: {
      measure: {
        params: {
          temperature: { type: 'number', unit: 'degC', min: 4, max: 80 },
          ph: { type: 'number', min: 2, max: 12 },
          substrate: { type: 'number', unit: 'mM', min: 0, max: 100 },
        },
        result: { rate: { type: 'number', unit: 'uM/min' }, slope: { type: 'number', unit: 'OD/min' } },
        async run(params, ctx) {
          const t = params['temperature'] as number;
          plateTemp = t;
          const trueRate = initialRate(t, params['ph'] as number, params['substrate'] as number, enzymeUM);
          const steps = 4;
          for (let i = 1; i <= steps; i++) {
            await ctx.wait(measureMs / steps);
            ctx.progress(i / steps);
          }
          const slope = trueRate * OD_PER_UM * (1 + ctx.rng.normal(0, 0.01)) + ctx.rng.normal(0, 0.003);
          return { rate: slope / OD_PER_UM, slope };
        },
      },
    },
    readings: {
      temperature: {
        type: 'number',
        unit: 'degC',
        sample: (_now, rng) => Math.round((plateTemp + rng.normal(0, 0.05)) * 100) / 100,
      },
    },
  };
  return model;
};
