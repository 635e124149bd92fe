/**
 * A simulated incubator/shaker on the shared bio bench: `incubate` takes a plate in for a duration at a temperature
 * and shaking speed; the plate approaches the set temperature with a first-order lag (τ = 5 min, within the
 * 5–15 min of instruments.md §6.4) and goes back to the deck (and room temperature) afterwards. The chamber's own
 * temperature follows its setpoint with τ = 10 min and is reported as telemetry with ±0.1 °C noise.
 */
import { SimActionError, type SimModel, type SimModelFactory } from '../common/sim-model.js';
import { AMBIENT_C } from './bio-bench.js';
import { benchOf } from './liquid-handler.sim.js';

const PLATE_TAU_MS = 5 * 60_000;
const CHAMBER_TAU_MS = 10 * 60_000;

export const incubatorSim: SimModelFactory = (options, ctx) => {
  const bench = benchOf(ctx, options);
  const chamber = { since: 0, from: AMBIENT_C, target: AMBIENT_C };
  let rpm = 0;
  const chamberAt = (t: number): number =>
    chamber.target +
    (chamber.from - chamber.target) * Math.exp(-Math.max(0, t - chamber.since) / CHAMBER_TAU_MS);
  const setChamber = (t: number, target: number): void => {
    const from = chamberAt(t);
    Object.assign(chamber, { since: t, from, target });
  };

  const model: SimModel = {
    model: 'labloop-sim incubator-shaker',
    telemetryPeriodMs: Number(options['telemetryPeriodMs'] ?? 30_000),
    actions: {
      incubate: {
        params: {
          plate: { type: 'string' },
          temperature: { type: 'number', unit: 'degC', min: 4, max: 60 },
          rpm: { type: 'number', unit: 'rpm', min: 0, max: 1200 },
          duration: { type: 'number', unit: 's', min: 1, max: 172_800 },
        },
        result: { duration: { type: 'number', unit: 's' } },
        async run(p, c) {
          const plate = bench.plate(p['plate'] as string);
          if (plate.heldBy)
            throw new SimActionError('PLATE_BUSY', `plate ${plate.id} is in the ${plate.heldBy}`);
          const temperature = p['temperature'] as number;
          const duration = (p['duration'] as number) * 1000;
          await c.wait(10_000); // door, load
          const start = c.clock.now();
          setChamber(start, temperature);
          rpm = p['rpm'] as number;
          plate.heldBy = 'incubator';
          plate.moveTo('incubator', start, temperature, PLATE_TAU_MS, rpm);
          try {
            const steps = Math.max(1, Math.min(100, Math.ceil(duration / 600_000)));
            for (let i = 1; i <= steps; i++) {
              await c.wait(duration / steps);
              c.progress(i / steps);
            }
          } finally {
            const end = c.clock.now();
            plate.moveTo('deck', end, AMBIENT_C, PLATE_TAU_MS);
            plate.heldBy = undefined;
            rpm = 0;
          }
          return { duration: (c.clock.now() - start) / 1000 };
        },
      },
      set_temperature: {
        params: { temperature: { type: 'number', unit: 'degC', min: 4, max: 60 } },
        result: {},
        async run(p, c) {
          setChamber(c.clock.now(), p['temperature'] as number);
          await c.wait(1000);
          return {};
        },
      },
    },
    readings: {
      temperature: {
        type: 'number',
        unit: 'degC',
        sample: (now, rng) => Math.round((chamberAt(now) + rng.uniform(-0.1, 0.1)) * 100) / 100,
      },
      rpm: { type: 'number', unit: 'rpm', sample: () => rpm },
    },
  };
  return model;
};
