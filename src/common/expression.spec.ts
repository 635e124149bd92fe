import fc from 'fast-check';
import {
  evaluateNode,
  ExpressionError,
  linearForm,
  parseExpression,
  referencesOf,
  type Value,
} from './expression.js';

const scope: Record<string, Value> = { a: 2, b: 3, name: 'x' };
const run = (text: string, extra: Record<string, Value> = {}): Value =>
  evaluateNode(parseExpression(text), (p) => ({ ...scope, ...extra })[p.join('.')]);

describe('expression language', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['2 ^ 3 ^ 2', 512],
    ['-2 ^ 2', -4],
    ['10 % 4', 2],
    ['a * b - 1', 5],
    ['max(a, b, 1) + abs(-1)', 4],
    ['a < b and b <= 3', true],
    ['not (a == 2) or b != 3', false],
    ['name + "!"', 'x!'],
    ['1e3 / 4', 250],
  ])('%s = %j', (text, expected) => {
    expect(run(text)).toBe(expected);
  });

  it('reads dotted and indexed references', () => {
    const v = evaluateNode(parseExpression('steps.read.result.rate * inputs["volume"]'), (p) =>
      p.join('/') === 'steps/read/result/rate' ? 2 : p.join('/') === 'inputs/volume' ? 5 : undefined,
    );
    expect(v).toBe(10);
    expect(referencesOf(parseExpression('a + f(b.c) * 2'))).toEqual([['a'], ['b', 'c']]);
  });

  it('locates syntax errors', () => {
    expect(() => parseExpression('a + * b')).toThrow(new ExpressionError('unexpected "*"', 4));
    expect(() => parseExpression('(a + b')).toThrow('expected ")", got the end');
    expect(() => parseExpression('a $ b')).toThrow('unexpected "$"');
  });

  it('finds the linear form when there is one', () => {
    expect(linearForm(parseExpression('2*a + b/4 - 3 + a'))).toEqual({
      constant: -3,
      coefficients: { a: 3, b: 0.25 },
    });
    expect(linearForm(parseExpression('a * b'))).toBeUndefined();
    expect(linearForm(parseExpression('log(a)'))).toBeUndefined();
  });

  it('never throws anything but ExpressionError on arbitrary text (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...'ab12+-*/^()<=>!., "\'andornot'.split('')) }),
        (text) => {
          try {
            run(text);
          } catch (e) {
            if (!(e instanceof ExpressionError)) throw e;
          }
        },
      ),
      { numRuns: 5000 },
    );
  });
});
