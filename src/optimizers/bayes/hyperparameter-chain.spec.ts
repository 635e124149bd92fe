import { SeededRandom } from '../../common/seeded-random.js';
import type { GpData } from '../gp/gp-likelihood.js';
import { checkpoints, fitRows, HyperparameterChain, type ChainInput } from './hyperparameter-chain.js';

function input(n: number, order: number[] = [...Array(n).keys()]): { chain: ChainInput; fits: number[] } {
  const rng = new SeededRandom(1);
  const X = Float64Array.from({ length: n * 2 }, () => rng.next());
  const y = Array.from({ length: n }, (_, i) => Math.sin(5 * X[2 * i]!) + X[2 * i + 1]!);
  const fits: number[] = [];
  const chain: ChainInput = {
    ids: order.map((i) => `s${i + 1}`),
    targets: order.map((i) => y[i]!),
    data(index): GpData {
      fits.push(index.length);
      const rows = index.map((r) => order[r]!);
      return {
        X: Float64Array.from(rows.flatMap((r) => [X[2 * r]!, X[2 * r + 1]!])),
        n: rows.length,
        dim: 2,
        y: Float64Array.from(rows, (r) => y[r]!),
      };
    },
  };
  return { chain, fits };
}

describe('hyperparameter chain', () => {
  it('refits after every observation up to 100, then every 10 %', () => {
    const cs = checkpoints(400);
    expect(cs.slice(0, 3)).toEqual([2, 3, 4]);
    expect(cs).toContain(100);
    expect(cs.filter((c) => c > 100)).toEqual([
      110, 121, 133, 146, 161, 177, 195, 215, 237, 261, 287, 316, 348, 383,
    ]);
  });

  it('fits at most maxFitPoints rows: the best half and a spread of the rest', () => {
    const targets = Array.from({ length: 10 }, (_, i) => i);
    expect(fitRows(targets, 6, 8)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(fitRows(targets, 10, 4)).toEqual([0, 4, 8, 9]);
  });

  it('gives the same hyperparameters incrementally and rebuilt from scratch', () => {
    const incremental = new HyperparameterChain(7, 300);
    for (let n = 2; n <= 30; n++) incremental.thetaFor(input(n).chain, 2);
    const last = incremental.thetaFor(input(30).chain, 2);
    const { chain, fits } = input(30);
    const rebuilt = new HyperparameterChain(7, 300).thetaFor(chain, 2);
    expect(Array.from(rebuilt)).toEqual(Array.from(last));
    // Rebuilt: a log-depth chain (30 → 15 → 7 → 3), not every checkpoint again.
    expect(fits).toEqual([3, 7, 15, 30]);
  });

  it('refits only what a late result changes', () => {
    const chain = new HyperparameterChain(1, 300);
    chain.thetaFor(input(20).chain, 2);
    const again = input(20);
    chain.thetaFor(again.chain, 2);
    expect(again.fits).toEqual([]);
  });
});
