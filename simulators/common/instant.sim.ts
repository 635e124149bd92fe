/**
 * A null instrument: every action completes with its input echoed — at once by default (for benchmarks that measure
 * labloop's own overhead, instrument time zero), or after `options.duration` of lab time (for tests of how
 * experiments share an instrument).
 */
import { parseDuration } from '../../src/common/durations.js';
import type { SimModelFactory } from './sim-model.js';

export const instantSim: SimModelFactory = (options) => {
  const ms = typeof options['duration'] === 'string' ? (parseDuration(options['duration']) ?? 0) : 0;
  return {
    model: 'labloop-sim instant',
    telemetryPeriodMs: 0,
    actions: {
      step: {
        params: { x: { type: 'number' } },
        result: { y: { type: 'number' } },
        run: async (params, c) => {
          if (ms > 0) await c.wait(ms);
          return { y: params['x'] as number };
        },
      },
    },
    readings: {},
  };
};
