/**
 * Volume errors of a liquid-handler channel, inside ISO 8655-2 limits. Source: ../shared/research/instruments.md
 * §6.4 — for a 1000 µL pipette the standard allows ±8 µL systematic and ≤ 3 µL random error at every setting
 * (0.8 % / 0.3 % of nominal, absolute, so relative errors grow at small volumes); commercial liquid handlers show a
 * random error of about 0.3 % at nominal (Yoshikawa et al., Digital Discovery 2023).
 *
 * Model: delivered = V·(1 + b_rel) + b_abs + N(0, sd(V)), with a per-channel bias drawn once (b_rel ~ N(0, 0.25 %)
 * clipped to ±0.5 %, b_abs ~ N(0, 0.1 % of nominal) clipped to ±0.2 %) and sd(V) = √((0.25 %·V)² + (0.15 %·Vn)²):
 * 0.29 % at nominal, about 4 % CV at 10 µL on a 300 µL channel. The limits scale with the nominal volume.
 */
import type { SeededRandom } from '../../src/common/seeded-random.js';

export interface ChannelError {
  /** Nominal (largest) volume of the channel, µL. */
  nominal: number;
  relativeBias: number;
  absoluteBias: number;
}

const clip = (v: number, limit: number): number => Math.max(-limit, Math.min(limit, v));

export function drawChannel(nominal: number, rng: SeededRandom): ChannelError {
  return {
    nominal,
    relativeBias: clip(rng.normal(0, 0.0025), 0.005),
    absoluteBias: clip(rng.normal(0, 0.001 * nominal), 0.002 * nominal),
  };
}

/** Standard deviation of the delivered volume at setting `volume`, µL. */
export function randomError(ch: ChannelError, volume: number): number {
  return Math.hypot(0.0025 * volume, 0.0015 * ch.nominal);
}

/** The volume a channel really moves when told `volume` µL. */
export function deliveredVolume(ch: ChannelError, volume: number, rng: SeededRandom): number {
  if (volume <= 0) return 0;
  const v = volume * (1 + ch.relativeBias) + ch.absoluteBias + rng.normal(0, randomError(ch, volume));
  return Math.max(0, v);
}

/** ISO 8655-2 maximum permissible errors for a channel, µL (scaled from the 1000 µL figures). */
export function iso8655Limits(nominal: number): { systematic: number; random: number } {
  return { systematic: 0.008 * nominal, random: 0.003 * nominal };
}
