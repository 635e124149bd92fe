/**
 * Benchmark domains, each maximized as −f (or f for the SnAr reactor) so regret = f* − best found:
 * Branin on [−5, 10]×[0, 15], Hartmann-6 on [0, 1]^6, Ackley-5 on [−5, 10]^5 (definitions from
 * ../shared/research/optimizers.md §4.1) and the simulated SnAr reactor's space-time yield.
 */
import { SNAR_BOUNDS, simulateSnar } from '../../simulators/chem/snar.model.js';
import type { SearchSpace } from '../../src/optimizers/strategy.port.js';

export interface Domain {
  name: string;
  space: SearchSpace;
  /** The value to maximize. */
  evaluate(params: Record<string, number | string>): number;
  /** Its maximum. */
  optimum: number;
}

const box = (names: string[], lo: number, hi: number): SearchSpace =>
  Object.fromEntries(names.map((n) => [n, { type: 'float' as const, min: lo, max: hi }]));

const num = (p: Record<string, number | string>, k: string): number => p[k] as number;

export function branin(x1: number, x2: number): number {
  const b = 5.1 / (4 * Math.PI ** 2);
  const c = 5 / Math.PI;
  return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x1) + 10;
}

const H_ALPHA = [1.0, 1.2, 3.0, 3.2];
const H_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const H_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((r) => r.map((v) => v * 1e-4));

export function hartmann6(x: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < 4; i++) {
    let inner = 0;
    for (let j = 0; j < 6; j++) inner += H_A[i]![j]! * (x[j]! - H_P[i]![j]!) ** 2;
    s += H_ALPHA[i]! * Math.exp(-inner);
  }
  return -s;
}

export function ackley(x: readonly number[]): number {
  const d = x.length;
  const sq = x.reduce((a, v) => a + v * v, 0) / d;
  const cos = x.reduce((a, v) => a + Math.cos(2 * Math.PI * v), 0) / d;
  return -20 * Math.exp(-0.2 * Math.sqrt(sq)) - Math.exp(cos) + 20 + Math.E;
}

const X6 = ['x1', 'x2', 'x3', 'x4', 'x5', 'x6'];

/** Maximum STY of the SnAr model, at τ 0.5 min, 5 equiv., 0.5 M, 30.90 °C (bench/optimizers/snar-optimum.ts). */
export const SNAR_MAX_STY = 11562.262;

export const DOMAINS: Domain[] = [
  {
    name: 'Branin',
    space: { x1: { type: 'float', min: -5, max: 10 }, x2: { type: 'float', min: 0, max: 15 } },
    evaluate: (p) => -branin(num(p, 'x1'), num(p, 'x2')),
    optimum: -0.397887357729739,
  },
  {
    name: 'Hartmann6',
    space: box(X6, 0, 1),
    evaluate: (p) => -hartmann6(X6.map((k) => num(p, k))),
    optimum: 3.322368011391339,
  },
  {
    name: 'Ackley5',
    space: box(X6.slice(0, 5), -5, 10),
    evaluate: (p) => -ackley(X6.slice(0, 5).map((k) => num(p, k))),
    optimum: 0,
  },
  {
    name: 'SnAr',
    space: {
      residenceTimeMin: {
        type: 'float',
        min: SNAR_BOUNDS.residenceTimeMin[0],
        max: SNAR_BOUNDS.residenceTimeMin[1],
      },
      equivalents: { type: 'float', min: SNAR_BOUNDS.equivalents[0], max: SNAR_BOUNDS.equivalents[1] },
      concentrationM: {
        type: 'float',
        min: SNAR_BOUNDS.concentrationM[0],
        max: SNAR_BOUNDS.concentrationM[1],
      },
      temperatureC: { type: 'float', min: SNAR_BOUNDS.temperatureC[0], max: SNAR_BOUNDS.temperatureC[1] },
    },
    evaluate: (p) =>
      simulateSnar({
        residenceTimeMin: num(p, 'residenceTimeMin'),
        equivalents: num(p, 'equivalents'),
        concentrationM: num(p, 'concentrationM'),
        temperatureC: num(p, 'temperatureC'),
      }).sty,
    optimum: SNAR_MAX_STY,
  },
];
