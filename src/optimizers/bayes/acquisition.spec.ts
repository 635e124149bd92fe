import { SeededRandom } from '../../common/seeded-random.js';
import { pack } from '../gp/gp-hyperparameters.js';
import { GpModel } from '../gp/gp-model.js';
import { normalCdf, normalPdf } from '../numerics/special.js';
import { makeAcquisition, type AcquisitionKind } from './acquisition.js';
import { FailureModel } from './failure-model.js';

const rng = new SeededRandom(4);
const n = 20;
const X = Float64Array.from({ length: n * 2 }, () => rng.next());
const y = Float64Array.from({ length: n }, (_, i) => Math.sin(4 * X[2 * i]!) - X[2 * i + 1]!);
const theta = pack({ lengthscales: Float64Array.of(0.3, 0.5), outputscale: 1, noise: 1e-4, mean: 0 });
const gp = GpModel.fit({ X, n, dim: 2, y }, theta);
const best = Math.max(...gp.trainingMeans());
const failure = FailureModel.fit(
  X,
  Array.from({ length: n }, (_, i) => X[2 * i]! < 0.7),
  2,
  undefined,
  300,
)!;

function fd(f: (z: Float64Array) => number, z: Float64Array, d: number): number {
  const h = 1e-6;
  const a = Float64Array.from(z);
  const b = Float64Array.from(z);
  a[d] = a[d]! + h;
  b[d] = b[d]! - h;
  return (f(a) - f(b)) / (2 * h);
}

describe('acquisition functions', () => {
  it.each<[AcquisitionKind, boolean]>([
    ['logei', false],
    ['logei', true],
    ['ucb', false],
  ])('%s (failure model: %p) has gradients that match finite differences', (kind, withFailure) => {
    const acq = makeAcquisition({ kind, gp, best, kappa: 2, failure: withFailure ? failure : undefined });
    for (const z of [Float64Array.of(0.2, 0.3), Float64Array.of(0.77, 0.51), Float64Array.of(0.05, 0.95)]) {
      const { value, gradient } = acq.valueAndGradient(z);
      expect(value).toBeCloseTo(acq.value(z), 10);
      for (let d = 0; d < 2; d++)
        expect(gradient[d]).toBeCloseTo(
          fd((x) => acq.value(x), z, d),
          4,
        );
    }
  });

  it('LogEI is the log of expected improvement where EI itself is representable', () => {
    const acq = makeAcquisition({ kind: 'logei', gp, best, kappa: 2 });
    for (const z of [Float64Array.of(0.2, 0.3), Float64Array.of(0.5, 0.9), Float64Array.of(0.33, 0.01)]) {
      const p = gp.predict(z);
      const s = Math.sqrt(p.variance);
      const u = (p.mean - best) / s;
      const ei = s * (normalPdf(u) + u * normalCdf(u));
      expect(acq.value(z)).toBeCloseTo(Math.log(ei), 8);
    }
  });

  it('scores a batch as it scores points one by one', () => {
    const acq = makeAcquisition({ kind: 'logei', gp, best, kappa: 2, failure });
    const Z = Float64Array.of(0.1, 0.2, 0.9, 0.9, 0.5, 0.5);
    const many = acq.values(Z, 3);
    for (let i = 0; i < 3; i++) expect(many[i]).toBeCloseTo(acq.value(Z.slice(2 * i, 2 * i + 2)), 10);
  });

  it('learns where experiments fail: success is less likely there', () => {
    const inside = failure.logSuccess(Float64Array.of(0.9, 0.5)).value;
    const outside = failure.logSuccess(Float64Array.of(0.3, 0.5)).value;
    expect(Math.exp(inside)).toBeLessThan(0.4);
    expect(Math.exp(outside)).toBeGreaterThan(0.6);
  });
});
