import { SeededRandom } from '../../src/common/seeded-random.js';
import { VirtualClock } from '../common/virtual-clock.js';
import { FlowPath } from './flow-path.model.js';
import { inject, PEAKS } from './hplc.model.js';
import { outletConcentrations } from './snar.model.js';
import { SyringePump } from './syringe-pump.model.js';

const MIN = 60_000;
const T0 = Date.parse('2030-01-01T00:00:00Z');

/** Summit's flows for (τ, equivalents, DFNB inlet) in a 5 mL reactor. */
function flows(tauMin: number, eq: number, a: number): { qa: number; qb: number; qs: number } {
  const q = 5 / tauMin;
  const qa = (a / 2.0) * q;
  const qb = ((eq * a) / 4.2) * q;
  return { qa, qb, qs: q - qa - qb };
}

describe('flow path', () => {
  const rig = (variant: 'current' | '2020' = 'current') => {
    const path = new FlowPath({ volumeMl: 5, tauMs: 3 * MIN, variant, now: T0 });
    path.connect('a', { a: 2.0, b: 0 });
    path.connect('b', { a: 0, b: 4.2 });
    path.connect('s', { a: 0, b: 0 });
    return path;
  };
  const run = (path: FlowPath, tau: number, eq: number, a: number, at: number): void => {
    const f = flows(tau, eq, a);
    path.setFlow('a', f.qa, at);
    path.setFlow('b', f.qb, at);
    path.setFlow('s', f.qs, at);
  };

  it('has residence time V/q and delivers the feed only after one residence time', () => {
    const path = rig();
    run(path, 2, 2, 0.3, T0);
    expect(path.totalFlow()).toBeCloseTo(2.5, 12);
    expect(path.residenceTime()).toBeCloseTo(2, 12);
    expect(path.outlet(T0 + 1 * MIN)).toEqual([0, 0, 0, 0, 0]); // still the solvent the coil was filled with
    expect(path.outlet(T0 + 3 * MIN)[2]).toBeGreaterThan(0);
  });

  it('reaches the SnAr model at steady state, at the mean temperature the fluid saw', () => {
    for (const variant of ['current', '2020'] as const) {
      const path = rig(variant);
      path.setTemperature(100, T0);
      run(path, 1, 2, 0.3, T0);
      const t = T0 + 60 * MIN; // long after the temperature settled
      const expected = outletConcentrations(
        { residenceTimeMin: 1, equivalents: 2, concentrationM: 0.3, temperatureC: 100 },
        variant,
      );
      const got = path.outlet(t);
      // The residence-time spread (±5 % of V) changes the yield by well under a percent.
      for (let i = 0; i < 5; i++) expect(got[i]).toBeCloseTo(expected[i] as number, 2);
      expect(Math.abs((got[2] - expected[2]) / expected[2])).toBeLessThan(0.01);
    }
  });

  it('lags the setpoint with a first-order approach (63 % after τ) and averages it over the coil', () => {
    const path = rig();
    path.setTemperature(105, T0);
    expect(path.temperature(T0)).toBeCloseTo(25, 9);
    expect(path.temperature(T0 + 3 * MIN)).toBeCloseTo(25 + 80 * (1 - Math.exp(-1)), 6);
    const mean = path.meanTemperature(T0, T0 + 3 * MIN);
    expect(mean).toBeGreaterThan(25);
    expect(mean).toBeLessThan(path.temperature(T0 + 3 * MIN));
    path.setTemperature(60, T0 + 10 * MIN);
    expect(path.meanTemperature(T0 + 60 * MIN, T0 + 61 * MIN)).toBeCloseTo(60, 4);
  });

  it('raises pressure with flow and with a clog', () => {
    const path = rig();
    run(path, 0.5, 2, 0.3, T0);
    const clean = path.pressureBar();
    path.clogFactor = 40;
    expect(path.pressureBar()).toBeGreaterThan(10 * (clean - 2));
  });
});

describe('syringe pump', () => {
  it('empties at its flow rate, stops on its own and reports EMPTY; refills when stopped', async () => {
    const clock = new VirtualClock({ start: T0 });
    try {
      const path = new FlowPath({ volumeMl: 5, tauMs: MIN, variant: 'current', now: T0 });
      let changes = 0;
      const pump = new SyringePump(
        { id: 'p', stock: { a: 2, b: 0 }, capacityMl: 10, onStateChange: () => changes++ },
        path,
        clock,
      );
      pump.setTarget(2);
      pump.start();
      await clock.advance(2 * MIN);
      expect(pump.volume()).toBeCloseTo(6, 9);
      await clock.advance(10 * MIN);
      expect(pump.volume()).toBe(0);
      expect(pump.state).toBe('error');
      expect(pump.error?.code).toBe('EMPTY');
      expect(path.totalFlow()).toBe(0);
      expect(changes).toBe(1);
      const t = clock.now();
      await pump.refill((ms) => clock.advance(ms));
      expect(clock.now() - t).toBeCloseTo((10 / 25) * MIN, 6);
      expect(pump.volume()).toBe(10);
      expect(() => pump.setTarget(11)).toThrow(/outside/);
    } finally {
      clock.close();
    }
  });

  it('trips on overpressure', () => {
    const clock = new VirtualClock({ start: T0, auto: false });
    try {
      const path = new FlowPath({ volumeMl: 5, tauMs: MIN, variant: 'current', now: T0 });
      const pump = new SyringePump({ id: 'p', stock: { a: 2, b: 0 } }, path, clock);
      pump.setTarget(5);
      pump.start();
      path.clogFactor = 40;
      pump.checkPressure();
      expect(pump.state).toBe('error');
      expect(pump.error?.code).toBe('OVERPRESSURE');
      expect(path.totalFlow()).toBe(0);
    } finally {
      clock.close();
    }
  });
});

describe('inline HPLC', () => {
  it('puts each species at its retention time with an area proportional to its concentration', () => {
    const c: [number, number, number, number, number] = [0.05, 0.3, 0.2, 0.01, 0.02];
    const r = inject(c, new SeededRandom(1));
    for (const [i, p] of PEAKS.entries()) {
      const peak = r.peaks[i]!;
      expect(peak.rt).toBeCloseTo(p.rt, 1);
      expect(peak.concentration / (c[p.species] as number)).toBeGreaterThan(0.97);
      expect(peak.concentration / (c[p.species] as number)).toBeLessThan(1.03);
    }
    expect(r.chromatogram.time).toHaveLength(961);
    // Baseline noise of about 20 µAU away from the peaks.
    const base = r.chromatogram.signal.slice(0, 300);
    const m = base.reduce((a, b) => a + b, 0) / base.length;
    const sd = Math.sqrt(base.reduce((a, b) => a + (b - m) ** 2, 0) / base.length);
    expect(sd).toBeGreaterThan(0.01);
    expect(sd).toBeLessThan(0.04);
  });

  it('repeats injections with an area RSD below 1 %', () => {
    const rng = new SeededRandom(2);
    const areas = Array.from({ length: 50 }, () => inject([0.05, 0, 0.2, 0.01, 0.02], rng).peaks[1]!.area);
    const m = areas.reduce((a, b) => a + b, 0) / areas.length;
    const rsd = Math.sqrt(areas.reduce((a, b) => a + (b - m) ** 2, 0) / (areas.length - 1)) / m;
    expect(rsd).toBeGreaterThan(0.002);
    expect(rsd).toBeLessThan(0.01);
  });
});
