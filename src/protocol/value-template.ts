/**
 * Values inside protocol files: a literal (`37`, `A1`), one expression (`${inputs.volume to uL}`), or text with
 * expressions in it (`"well ${well}"`). A value that is one expression keeps the expression's type (a number, a
 * quantity, a list); text around expressions makes the result text. Expressions are the one language of
 * `src/common/expression.ts`; this file only finds them inside YAML values.
 */
import {
  evaluateNode,
  ExpressionError,
  parseExpression,
  type Node,
  type Resolver,
} from '../common/expression.js';
import { formatValue, Quantity, type Value } from '../common/quantity.js';
import { isDimensionless, parseUnit } from '../common/units.js';

export type Scalar = number | string | boolean;

export interface Embedded {
  node: Node;
  /** The expression text between `${` and `}`. */
  source: string;
  /** Offset of the expression text inside the YAML value. */
  offset: number;
}

export type Template =
  | { kind: 'literal'; value: Value }
  | ({ kind: 'expr' } & Embedded)
  | { kind: 'text'; parts: (string | Embedded)[] };

export interface TemplateProblem {
  message: string;
  /** Offset inside the YAML value. */
  offset: number;
}

export type TemplateResult = { ok: true; template: Template } | { ok: false; problem: TemplateProblem };

/** Finds the `}` that closes a `${` opened at `start`, skipping quoted text. */
function closing(text: string, start: number): number {
  let quote: string | undefined;
  for (let i = start; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '}') return i;
  }
  return -1;
}

/** A number with a unit written as plain text: `50 uL`, `0 mM`, `2.5 min`. */
const QUANTITY = /^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*([A-Za-zµ°Ω%][A-Za-z0-9µ°Ω%_/^*·-]*)\s*$/;

/** Reads a YAML value as a template; plain scalars are literals, and `50 uL` is a quantity. */
export function parseTemplate(value: unknown): TemplateResult {
  if (typeof value !== 'string') return { ok: true, template: { kind: 'literal', value: value as Value } };
  const q = QUANTITY.exec(value);
  const unit = q?.[2] !== undefined ? parseUnit(q[2]) : undefined;
  if (q && unit && !isDimensionless(unit))
    return { ok: true, template: { kind: 'literal', value: new Quantity(Number(q[1]), unit) } };
  const parts: (string | Embedded)[] = [];
  let i = 0;
  while (i < value.length) {
    const open = value.indexOf('${', i);
    if (open < 0) {
      parts.push(value.slice(i));
      break;
    }
    if (open > i) parts.push(value.slice(i, open));
    const close = closing(value, open + 2);
    if (close < 0) return { ok: false, problem: { message: 'unclosed "${": expected "}"', offset: open } };
    const source = value.slice(open + 2, close);
    try {
      parts.push({ node: parseExpression(source), source, offset: open + 2 });
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      const at = open + 2 + e.at;
      return {
        ok: false,
        problem: { message: `cannot read \${${source}}: ${e.message} at character ${at + 1}`, offset: at },
      };
    }
    i = close + 1;
  }
  const [only] = parts;
  if (parts.length === 1 && only !== undefined && typeof only !== 'string')
    return { ok: true, template: { kind: 'expr', ...only } };
  if (parts.every((p) => typeof p === 'string'))
    return { ok: true, template: { kind: 'literal', value: parts.join('') } };
  return { ok: true, template: { kind: 'text', parts } };
}

/** The expressions a template holds. */
export function expressionsOf(t: Template): Embedded[] {
  if (t.kind === 'expr') return [t];
  if (t.kind === 'text') return t.parts.filter((p): p is Embedded => typeof p !== 'string');
  return [];
}

export function evaluateTemplate(t: Template, resolve: Resolver): Value {
  switch (t.kind) {
    case 'literal':
      return t.value;
    case 'expr':
      return evaluateNode(t.node, resolve);
    case 'text':
      return t.parts
        .map((p) => (typeof p === 'string' ? p : formatValue(evaluateNode(p.node, resolve))))
        .join('');
  }
}

/**
 * A condition as written in `if:`, `until:` or `when:`: a bare expression, optionally wrapped in `${ }`.
 */
export function parseCondition(
  text: string,
): { ok: true; node: Node } | { ok: false; problem: TemplateProblem } {
  const wrapped = /^\s*\$\{([\s\S]*)\}\s*$/.exec(text);
  const source = wrapped ? (wrapped[1] ?? '') : text;
  const offset = wrapped ? text.indexOf('${') + 2 : 0;
  try {
    return { ok: true, node: parseExpression(source) };
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e;
    return {
      ok: false,
      problem: {
        message: `cannot read "${source.trim()}": ${e.message} at character ${offset + e.at + 1}`,
        offset: offset + e.at,
      },
    };
  }
}
