/**
 * Noise that is a function of lab time: the same (seed, key, instant) always gives the same value, however often a
 * reading is sampled. Readings that clients poll at their own pace (OPC UA subscriptions sample in real time) stay
 * reproducible this way.
 */
import { deriveSeed, SeededRandom } from '../../src/common/seeded-random.js';

/** A standard-normal draw for the `quantumMs`-wide slot of lab time containing t. */
export function normalAt(seed: number, key: string, t: number, quantumMs = 1000): number {
  return new SeededRandom(deriveSeed(seed, key, Math.floor(t / quantumMs))).normal();
}

/** A uniform draw in [-1, 1) for the slot of lab time containing t. */
export function uniformAt(seed: number, key: string, t: number, quantumMs = 1000): number {
  return new SeededRandom(deriveSeed(seed, key, Math.floor(t / quantumMs))).uniform(-1, 1);
}
