import { evaluateNode, ExpressionError, parseExpression } from './expression.js';
import { formatValue, Quantity, type Value } from './quantity.js';
import { parseUnit } from './units.js';

const scope: Record<string, Value> = {
  'inputs.volume': new Quantity(0.5, parseUnit('mL')!),
  'inputs.time': new Quantity(2, parseUnit('min')!),
  'inputs.n': 3,
  'reader.temperature': new Quantity(36.9, parseUnit('degC')!),
  'steps.read.result.rate': [1, 2, 3, 4].map((v) => new Quantity(v, parseUnit('uM/min')!)),
  wells: ['A1', 'A2'],
};
const run = (text: string): string =>
  formatValue(
    evaluateNode(parseExpression(text), (p) => {
      const whole = scope[p.join('.')];
      if (whole !== undefined) return whole;
      const list = scope[p.slice(0, -1).join('.')];
      return Array.isArray(list) ? (list[Number(p[p.length - 1])] as Value) : undefined;
    }),
  );

describe('expressions with units', () => {
  it.each([
    ['inputs.volume to uL', '500 uL'],
    ['inputs.time to s', '120 s'],
    ['inputs.volume * 2', '1 mL'],
    ['inputs.volume + 250 uL', '0.75 mL'],
    ['(inputs.volume + 250 uL) to uL', '750 uL'],
    ['5 mL / 1 min', '5 mL/min'],
    ['(5 mL / 1 min) to uL/s', '83.3333333333 uL/s'],
    ['500 uL / 1 mL', '0.5'],
    ['reader.temperature >= 36.5 degC', 'true'],
    ['reader.temperature > 30', 'true'],
    ['reader.temperature < 300 K', 'false'],
    ['reader.temperature < 320 K', 'true'],
    ['37 degC to K', '310.15 K'],
    ['mean(steps.read.result.rate)', '2.5 uM/min'],
    ['max(steps.read.result.rate) to uM/s', '0.0666666666667 uM/s'],
    ['std([1, 2, 3, 4])', '1.29099444874'],
    ['len(wells) * inputs.n', '6'],
    ['range(3)', '[1, 2, 3]'],
    ['sum(range(2, 4))', '9'],
    ['"well " + wells[1]', 'well A2'],
    ['2 min + 30 s', '2.5 min'],
  ])('%s = %s', (text, expected) => {
    expect(run(text)).toBe(expected);
  });

  it('refuses to mix dimensions, naming both', () => {
    expect(() => run('inputs.volume + inputs.time')).toThrow(
      new ExpressionError('"+" cannot combine volume (mL) with time (min)', 0),
    );
    expect(() => run('reader.temperature > 8 bar')).toThrow(
      'cannot combine temperature (degC) with pressure (bar)',
    );
    expect(() => run('inputs.volume to s')).toThrow('conversion: expected time (s), got volume (mL)');
    expect(() => run('log(inputs.volume)')).toThrow('log() needs a plain number, got 0.5 mL');
  });

  it('reads a unit only right after a number, never a keyword or a function', () => {
    expect(parseExpression('2 min')).toEqual({ kind: 'qty', value: 2, unit: 'min' });
    expect(parseExpression('min(2, 3)')).toMatchObject({ kind: 'call', fn: 'min' });
    expect(parseExpression('2 and 3')).toMatchObject({ kind: 'binary', op: 'and' });
    expect(parseExpression('x to uL/min')).toMatchObject({ kind: 'convert', unit: 'uL/min' });
    expect(() => parseExpression('x to')).toThrow('expected a unit after "to"');
  });

  it('refuses expressions nested deeper than a person writes', () => {
    expect(() => parseExpression(`${'('.repeat(500)}1${')'.repeat(500)}`)).toThrow('nested too deeply');
    expect(() => parseExpression(`${'-'.repeat(5000)}1`)).toThrow('nested too deeply');
  });
});

describe('lists in arithmetic', () => {
  it('works element by element, with a single value applied to each', () => {
    expect(run('steps.read.result.rate - 1 uM/min')).toBe('[0 uM/min, 1 uM/min, 2 uM/min, 3 uM/min]');
    expect(run('[1, 2] * [3, 4]')).toBe('[3, 8]');
    expect(run('-[1, 2]')).toBe('[-1, -2]');
    expect(() => run('[1, 2] + [1, 2, 3]')).toThrow('"+" needs lists of the same length, got 2 and 3');
  });
});
