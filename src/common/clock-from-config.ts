/**
 * The daemon's clock from its settings (`clock.mode`, `clock.timeScale`, `clock.anchor`, `clock.settleMs`).
 * Across processes only real and scaled time can be shared: both sides take the same scale and anchor.
 */
import { VirtualClock } from '../../simulators/common/virtual-clock.js';
import type { AppConfig } from '../config/config.schema.js';
import { SystemClock, type Clock } from './clock.js';

export type ClockMode = 'real' | 'scaled' | 'virtual';

export function clockMode(c: AppConfig['clock']): ClockMode {
  return c.mode ?? (c.timeScale === 1 ? 'real' : 'scaled');
}

export function clockFromConfig(c: AppConfig['clock']): Clock {
  const anchor = c.anchor === undefined ? undefined : Date.parse(c.anchor);
  switch (clockMode(c)) {
    case 'real':
      return new SystemClock();
    case 'scaled':
      return new SystemClock(c.timeScale, anchor);
    case 'virtual':
      return new VirtualClock({ start: anchor, settleMs: c.settleMs });
  }
}
