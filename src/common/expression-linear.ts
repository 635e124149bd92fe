/**
 * Linear forms: constant + Σ coefficient·variable over single-name references, so strategies can sample and optimize
 * inside linear constraints exactly.
 */
import type { Node } from './expression.js';

/**
 * The linear form of a numeric expression — constant + Σ coefficient·variable over single-name references — or
 * undefined when it is not linear (products of variables, functions of variables, quantities, …).
 */
export function linearForm(node: Node): Linear | undefined {
  switch (node.kind) {
    case 'num':
      return { constant: node.value, coefficients: {} };
    case 'ref':
      return node.path.length === 1
        ? { constant: 0, coefficients: { [node.path[0] as string]: 1 } }
        : undefined;
    case 'unary': {
      if (node.op !== '-') return undefined;
      const a = linearForm(node.arg);
      return a && scale(a, -1);
    }
    case 'binary': {
      const a = linearForm(node.left);
      const b = linearForm(node.right);
      if (!a || !b) return undefined;
      const constA = Object.keys(a.coefficients).length === 0;
      const constB = Object.keys(b.coefficients).length === 0;
      switch (node.op) {
        case '+':
          return add(a, b, 1);
        case '-':
          return add(a, b, -1);
        case '*':
          if (constA) return scale(b, a.constant);
          if (constB) return scale(a, b.constant);
          return undefined;
        case '/':
          return constB && b.constant !== 0 ? scale(a, 1 / b.constant) : undefined;
        default:
          return undefined;
      }
    }
    default:
      return undefined;
  }
}

export type Linear = { constant: number; coefficients: Record<string, number> };

function scale(a: Linear, k: number): Linear {
  return {
    constant: a.constant * k,
    coefficients: Object.fromEntries(Object.entries(a.coefficients).map(([n, c]) => [n, c * k])),
  };
}

function add(a: Linear, b: Linear, sign: 1 | -1): Linear {
  const coefficients = { ...a.coefficients };
  for (const [n, c] of Object.entries(b.coefficients)) coefficients[n] = (coefficients[n] ?? 0) + sign * c;
  return { constant: a.constant + sign * b.constant, coefficients };
}
