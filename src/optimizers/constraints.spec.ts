import { compileConstraint, satisfiesAll, violation } from './constraints.js';

const params = ['a', 'b', 'c'];

describe('constraints', () => {
  it('compiles a linear constraint with its coefficients', () => {
    const r = compileConstraint('a + b + c <= 100', params);
    expect(r.ok && r.constraint.linear).toEqual({ coefficients: { a: 1, b: 1, c: 1 }, op: '<=', rhs: 100 });
    expect(r.ok && r.constraint.holds({ a: 50, b: 30, c: 20 })).toBe(true);
    expect(r.ok && r.constraint.holds({ a: 50, b: 30, c: 20.001 })).toBe(false);
  });

  it('moves terms to one side: 2*a >= b - 10 is 2a - b >= -10', () => {
    const r = compileConstraint('2*a >= b - 10', params);
    expect(r.ok && r.constraint.linear).toEqual({ coefficients: { a: 2, b: -1 }, op: '>=', rhs: -10 });
  });

  it('keeps a general constraint testable without a linear form', () => {
    const r = compileConstraint('a * b < 5000 and c > 1', params);
    expect(r.ok && r.constraint.linear).toBeUndefined();
    expect(r.ok && satisfiesAll([r.constraint], { a: 10, b: 10, c: 2 })).toBe(true);
    expect(r.ok && satisfiesAll([r.constraint], { a: 100, b: 100, c: 2 })).toBe(false);
  });

  it('refuses unknown names, non-conditions and bad syntax with a reason', () => {
    expect(compileConstraint('a + d <= 1', params)).toEqual({
      ok: false,
      message: '"d" is not a parameter; did you mean "a"?',
    });
    expect(compileConstraint('a + b', params)).toEqual({
      ok: false,
      message: '"a + b" is not a condition: expected a comparison such as a + b <= 100',
    });
    expect(compileConstraint('a <= (b', params)).toEqual({
      ok: false,
      message: 'cannot read "a <= (b": expected ")", got the end at character 8',
    });
  });
});

describe('constraint violation', () => {
  const compile = (expr: string) => {
    const r = compileConstraint(expr, params);
    if (!r.ok) throw new Error(r.message);
    return r.constraint;
  };

  it('is zero where the constraint holds and measures the gap where it does not', () => {
    const c = compile('a + b <= 10');
    expect(violation(c, { a: 2, b: 3 })).toBe(0);
    expect(violation(c, { a: 8, b: 5 })).toBe(3);
  });

  it('adds over "and", takes the least over "or"', () => {
    expect(violation(compile('a <= 1 and b <= 1'), { a: 3, b: 4 })).toBe(5);
    expect(violation(compile('a <= 1 or b <= 1'), { a: 3, b: 4 })).toBe(2);
  });

  it('is positive for a failing equality however close', () => {
    expect(violation(compile('a == b'), { a: 1, b: 1 + 1e-6 })).toBeGreaterThan(0);
  });
});
