/** The words of the expression language: numbers (with a unit right after: `5 mL`), names, text, operators. */
import { ExpressionError } from './expression-error.js';

export interface Token {
  type: 'num' | 'str' | 'name' | 'op' | 'end';
  text: string;
  at: number;
  /** A number's unit (`5 mL`). */
  unit?: string;
}

const OPERATORS = [
  '<=',
  '>=',
  '==',
  '!=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '(',
  ')',
  ',',
  '.',
  '[',
  ']',
];
export const KEYWORDS = new Set(['and', 'or', 'not', 'to', 'true', 'false', 'for', 'in', 'if', 'else']);
const NAME = /^[A-Za-z_µ°][A-Za-z0-9_µ°]*/;
const UNIT_ATOM = '[A-Za-zµ°Ω][A-Za-z0-9µ°Ω_]*(?:\\^-?\\d+)?';
const UNIT_AFTER_NUMBER = new RegExp(`^[ \\t]*(${UNIT_ATOM}(?:/${UNIT_ATOM})*)`);

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const rest = src.slice(i);
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest);
    if (num) {
      const token: Token = { type: 'num', text: num[0], at: i };
      i += num[0].length;
      const unit = UNIT_AFTER_NUMBER.exec(src.slice(i));
      const first = unit?.[1]?.split(/[/^]/)[0];
      if (unit && first !== undefined && !KEYWORDS.has(first) && src[i + unit[0].length] !== '(') {
        token.unit = unit[1];
        i += unit[0].length;
      }
      out.push(token);
      continue;
    }
    const name = NAME.exec(rest);
    if (name) {
      out.push({ type: 'name', text: name[0], at: i });
      i += name[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      const end = src.indexOf(c, i + 1);
      if (end < 0) throw new ExpressionError('unclosed string', i);
      out.push({ type: 'str', text: src.slice(i + 1, end), at: i });
      i = end + 1;
      continue;
    }
    const op = OPERATORS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExpressionError(`unexpected "${c}"`, i);
    out.push({ type: 'op', text: op, at: i });
    i += op.length;
  }
  out.push({ type: 'end', text: '', at: src.length });
  return out;
}
