import { Liquid, parseWells } from './labware.js';

describe('labware', () => {
  it('reads well lists and blocks in row-major order', () => {
    expect(parseWells('A1')).toEqual(['A1']);
    expect(parseWells('A1-A3')).toEqual(['A1', 'A2', 'A3']);
    expect(parseWells('A1-C1')).toEqual(['A1', 'B1', 'C1']);
    expect(parseWells('B2-A1, H12')).toEqual(['A1', 'A2', 'B1', 'B2', 'H12']);
    expect(() => parseWells('I1')).toThrow(/not a well/);
    expect(() => parseWells('A13')).toThrow(/not a well/);
  });

  it('mixes by adding amounts and volumes; pH follows the buffers, not unbuffered additions', () => {
    const well = new Liquid();
    well.add(Liquid.of(50, {}, 4, 100));
    well.add(Liquid.of(50, {}, 10, 100));
    expect(well.ph).toBeCloseTo(7, 12);
    well.add(Liquid.of(100, { substrate: 20 }));
    expect(well.ph).toBeCloseTo(7, 12);
    expect(well.conc('substrate')).toBeCloseTo(10, 12);
    const half = well.take(100);
    expect(half.volume).toBe(100);
    expect(half.conc('substrate')).toBeCloseTo(10, 12);
    expect(well.volume).toBe(100);
  });
});
