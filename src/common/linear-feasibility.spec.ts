import { isFeasible, type LinearRow } from './linear-feasibility.js';

const box = { a: { min: 0, max: 10 }, b: { min: 0, max: 10 } };

describe('linear feasibility', () => {
  it.each<[LinearRow[], boolean]>([
    [[{ coefficients: { a: 1, b: 1 }, op: '<=', rhs: 5 }], true],
    [[{ coefficients: { a: 1, b: 1 }, op: '>=', rhs: 25 }], false],
    [[{ coefficients: { a: 1, b: 1 }, op: '==', rhs: 20 }], true],
    [[{ coefficients: { a: 1, b: 1 }, op: '==', rhs: 20.5 }], false],
    [
      [
        { coefficients: { a: 1, b: 1 }, op: '>=', rhs: 15 },
        { coefficients: { a: 1 }, op: '<=', rhs: 3 },
        { coefficients: { b: 1, a: -1 }, op: '<=', rhs: 3 },
      ],
      false,
    ],
    [
      [
        { coefficients: { a: 2, b: -1 }, op: '>=', rhs: -10 },
        { coefficients: { a: -1, b: -1 }, op: '>=', rhs: -4 },
      ],
      true,
    ],
  ])('%j → %s', (rows, expected) => {
    expect(isFeasible(rows, box)).toBe(expected);
  });

  it('works with ranges that do not start at zero', () => {
    const shifted = { a: { min: -5, max: -1 }, b: { min: 100, max: 200 } };
    expect(isFeasible([{ coefficients: { a: 1, b: 1 }, op: '<=', rhs: 94 }], shifted)).toBe(false);
    expect(isFeasible([{ coefficients: { a: 1, b: 1 }, op: '<=', rhs: 95 }], shifted)).toBe(true);
  });
});
