import { convert, describeDimension, parseUnit, sameDimension } from './units.js';

const u = (t: string) => {
  const unit = parseUnit(t);
  if (!unit) throw new Error(`not a unit: ${t}`);
  return unit;
};

describe('units', () => {
  it.each([
    [1, 'mL', 'uL', 1000],
    [2, 'min', 's', 120],
    [250, 'ms', 's', 0.25],
    [37, 'degC', 'K', 310.15],
    [212, 'degF', 'degC', 100],
    [8, 'bar', 'kPa', 800],
    [1, 'mL/min', 'uL/s', 1000 / 60],
    [5, 'mM', 'uM', 5000],
    [1, 'M', 'mol/L', 1],
    [60, 'rpm', 'Hz', 1],
    [1, 'OD/min', 'OD/s', 1 / 60],
  ])('%d %s is %d %s', (v, from, to, expected) => {
    expect(convert(v, u(from), u(to))).toBeCloseTo(expected, 9);
  });

  it('tells dimensions apart, also for names it does not know', () => {
    expect(sameDimension(u('uL'), u('mL'))).toBe(true);
    expect(sameDimension(u('uL'), u('s'))).toBe(false);
    expect(sameDimension(u('OD'), u('OD'))).toBe(true);
    expect(sameDimension(u('OD'), u('RFU'))).toBe(false);
    expect(sameDimension(u('kg*m/s^2'), u('N'))).toBe(false);
    expect(sameDimension(u('m^3'), u('L'))).toBe(true);
    expect(sameDimension(u('1/s'), u('Hz'))).toBe(true);
  });

  it('names dimensions for messages', () => {
    expect(describeDimension(u('uL'))).toBe('volume');
    expect(describeDimension(u('degC'))).toBe('temperature');
    expect(describeDimension(u('mL/min'))).toBe('flow');
    expect(describeDimension(u('OD'))).toBe('OD');
  });

  it('refuses text that is not a unit', () => {
    expect(parseUnit('m//s')).toBeUndefined();
    expect(parseUnit('/s')).toBeUndefined();
    expect(parseUnit('2x')).toBeUndefined();
    expect(parseUnit('mL/')).toBeUndefined();
  });
});
