import { ANY, boundsOf, numRange, rangeIn, type Abstract } from './expression-bounds.js';
import { parseExpression } from './expression.js';
import { parseUnit } from './units.js';

const env: Record<string, Abstract> = {
  'inputs.volume': numRange(10, 60, parseUnit('uL')),
  'inputs.temperature': numRange(25, 65, parseUnit('degC')),
  'inputs.ratio': numRange(-2, 3),
  'reader.pressure': { ...numRange(-Infinity, Infinity, parseUnit('bar')), dynamic: true },
};
const bounds = (text: string) =>
  boundsOf(parseExpression(text), (p) => env[p.join('.')] ?? { error: `no ${p.join('.')}` });

describe('expression bounds', () => {
  it.each([
    ['inputs.volume * 2', 20, 120],
    ['inputs.volume * inputs.ratio', -120, 180],
    ['inputs.volume - inputs.volume', -50, 50],
    ['inputs.volume / 2 + 1', 6, 31],
    ['inputs.ratio ^ 2', 0, 9],
    ['abs(inputs.ratio)', 0, 3],
    ['max(inputs.ratio, 1)', 1, 3],
    ['1 / inputs.ratio', -Infinity, Infinity],
  ])('%s lies in [%d, %d]', (text, lo, hi) => {
    const b = bounds(text);
    expect(b.problems).toEqual([]);
    expect(b.value).toMatchObject({ t: 'num', lo, hi });
  });

  it('converts ranges between units', () => {
    const b = bounds('inputs.volume to mL');
    const back = rangeIn(b.value, parseUnit('uL'))!;
    expect([back.lo, back.hi].map((v) => Number(v.toPrecision(12)))).toEqual([10, 60]);
    expect(b.value).toMatchObject({ lo: 0.01 });
    expect(b.value.t === 'num' && b.value.hi).toBeCloseTo(0.06, 12);
    expect(rangeIn(bounds('inputs.temperature').value, parseUnit('K'))).toEqual({ lo: 298.15, hi: 338.15 });
  });

  it('knows when a condition holds everywhere, nowhere, or depends', () => {
    expect(bounds('inputs.temperature > 80 degC').value).toMatchObject({ canTrue: false, canFalse: true });
    expect(bounds('inputs.temperature >= 25').value).toMatchObject({ canTrue: true, canFalse: false });
    expect(bounds('inputs.temperature > 40 and inputs.ratio < 0').value).toMatchObject({
      canTrue: true,
      canFalse: true,
    });
    expect(bounds('reader.pressure > 8 bar').value).toMatchObject({ dynamic: true });
  });

  it('reports unit mismatches and unknown names with their place', () => {
    expect(bounds('reader.pressure > 8 degC').problems).toEqual([
      { message: '">" cannot combine pressure (bar) with temperature (degC)', at: 0 },
    ]);
    expect(bounds('inputs.volume + inputs.nope').problems).toEqual([{ message: 'no inputs.nope', at: 16 }]);
    expect(bounds('inputs.nope').value).toEqual(ANY);
  });
});
