import { BioBench, DEFAULT_STOCKS, Plate, stockLiquid } from './bio-bench.js';
import {
  expressionTemperatureFactor,
  induction,
  maxGrowthRate,
  mediumFactor,
  STRAIN,
} from './growth.model.js';
import { Liquid } from './labware.js';

const HOUR = 3_600_000;

/** A 200 µL well of medium (fractions of the stocks), 10 µL cells, 10 µL inducer, grown at T and rpm. */
function culture(
  recipe: Record<string, number>,
  o: { tempC?: number; rpm?: number; inducerUL?: number; hours?: number; sample?: number[] } = {},
): { od: number[]; reporter: number[] } {
  const bench = new BioBench();
  const plate = new Plate('p', 0);
  const well = plate.well('A1');
  let used = 0;
  for (const [stock, ul] of Object.entries(recipe)) {
    well.add(stockLiquid({ ...DEFAULT_STOCKS[stock]!, volume: 1 }).take(ul));
    used += ul;
  }
  const inducer = o.inducerUL ?? 10;
  if (inducer > 0) well.add(bench.reservoir('iptg').liquid.take(inducer));
  well.add(bench.reservoir('cells').liquid.take(10));
  well.add(bench.reservoir('water').liquid.take(180 - used - inducer));
  plate.moveTo('incubator', 0, o.tempC ?? 37, 1, o.rpm ?? 800);
  const od: number[] = [];
  const reporter: number[] = [];
  for (const h of o.sample ?? [o.hours ?? 16]) {
    plate.advance(h * HOUR);
    od.push(well.conc('cells'));
    reporter.push(well.conc('reporter'));
  }
  return { od, reporter };
}

const RICH = { glucose: 4, yeast_extract: 20, tryptone: 20, m9_salts: 40 };

describe('growth model', () => {
  it('has μmax(37 °C) = 1.2 /h from the Ratkowsky model, and no growth outside Tmin..Tmax', () => {
    expect(maxGrowthRate(37)).toBeCloseTo(1.2, 2);
    expect(maxGrowthRate(4)).toBe(0);
    expect(maxGrowthRate(48)).toBe(0);
    expect(maxGrowthRate(30)).toBeLessThan(maxGrowthRate(37));
    expect(maxGrowthRate(45)).toBeLessThan(maxGrowthRate(40));
  });

  it('grows sigmoidally: a lag, an exponential phase, then a plateau', () => {
    const { od } = culture(RICH, { sample: [0.5, 1, 3, 6, 12, 16] });
    const [h05, h1, h3, h6, h12, h16] = od as [number, number, number, number, number, number];
    const od0 = 0.1; // 10 µL of OD 2 in 200 µL
    expect(h05 / od0).toBeLessThan(1.4); // still in lag
    expect(h3 / h1).toBeGreaterThan(2.5); // exponential (μ ≈ 0.85 /h with the burden of full induction)
    expect(h12).toBeGreaterThan(1.5);
    expect(Math.abs(h16 - h12) / h12).toBeLessThan(0.02); // plateau
    expect(h6).toBeLessThanOrEqual(h12);
  });

  it('needs a nitrogen source: glucose alone does not grow, glucose with salts does', () => {
    const alone = culture({ glucose: 4 }).od[0]!;
    const withSalts = culture({ glucose: 4, m9_salts: 40 }).od[0]!;
    expect(alone).toBeLessThan(0.15);
    expect(withSalts).toBeGreaterThan(1);
  });

  it('prefers a balanced medium to more of everything (osmotic stress)', () => {
    const balanced = mediumFactor({ glucose: 4, yeastExtract: 5, tryptone: 10, ammonium: 1, salts: 16 });
    const everything = mediumFactor({ glucose: 60, yeastExtract: 15, tryptone: 30, ammonium: 3, salts: 48 });
    expect(everything).toBeLessThan(0.8 * balanced);
  });

  it('limits the biomass by oxygen transfer at low shaking speed', () => {
    const slow = culture(RICH, { rpm: 100 }).od[0]!;
    const fast = culture(RICH, { rpm: 1000 }).od[0]!;
    expect(slow).toBeLessThan(0.6 * fast);
  });

  it('expresses the reporter along a Hill curve in the inducer, best near 28 °C', () => {
    const { k, leak } = STRAIN.expression;
    expect(induction(0)).toBeCloseTo(leak, 12);
    expect(induction(k)).toBeCloseTo(leak + (1 - leak) / 2, 12);
    expect(induction(10)).toBeGreaterThan(0.99);
    expect(expressionTemperatureFactor(28)).toBe(1);
    const uninduced = culture(RICH, { inducerUL: 0 }).reporter[0]!;
    const induced = culture(RICH, { inducerUL: 10 }).reporter[0]!;
    expect(induced / uninduced).toBeGreaterThan(15);
    const at28 = culture(RICH, { tempC: 28 }).reporter[0]!;
    const at42 = culture(RICH, { tempC: 42 }).reporter[0]!;
    expect(at28).toBeGreaterThan(2 * at42);
  });

  it('keeps mass balance: the carbon used matches the biomass made at the stated yield', () => {
    const plate = new Plate('p', 0);
    const well = plate.well('A1');
    well.add(stockLiquid({ ...DEFAULT_STOCKS['glucose']!, volume: 1 }).take(2));
    well.add(stockLiquid({ ...DEFAULT_STOCKS['m9_salts']!, volume: 1 }).take(40));
    well.add(stockLiquid({ ...DEFAULT_STOCKS['cells']!, volume: 1 }).take(10));
    well.add(new Liquid(148));
    const c0 = well.conc('carbon');
    const x0 = well.conc('cells');
    plate.moveTo('incubator', 0, 37, 1, 800);
    plate.advance(6 * HOUR);
    const madeDw = (well.conc('cells') - x0) * STRAIN.dryWeightPerOd;
    expect((c0 - well.conc('carbon')) * STRAIN.yieldPerCarbon).toBeCloseTo(madeDw, 4);
  });
});
