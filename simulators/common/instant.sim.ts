/**
 * A null instrument: every action completes at once with its input echoed. For benchmarks that measure labloop's
 * own overhead (instrument time zero) and for tests that need a fast, predictable device.
 */
import type { SimModelFactory } from './sim-model.js';

export const instantSim: SimModelFactory = () => ({
  model: 'labloop-sim instant',
  telemetryPeriodMs: 0,
  actions: {
    step: {
      params: { x: { type: 'number' } },
      result: { y: { type: 'number' } },
      run: (params) => Promise.resolve({ y: params['x'] as number }),
    },
  },
  readings: {},
});
