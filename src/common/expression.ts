/**
 * The one expression language of labloop, used by protocol values (`${inputs.volume * 2}`), conditions, and
 * campaign constraints (`a + b + c <= 100`). Parsed once into an AST, evaluated many times.
 *
 * Grammar (lowest precedence first):
 *   expr   := or
 *   or     := and ('or' and)*                 and := not ('and' not)*         not := 'not' not | cmp
 *   cmp    := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
 *   sum    := prod (('+' | '-') prod)*        prod := unary (('*' | '/' | '%') unary)*
 *   unary  := '-' unary | power               power := atom ('^' unary)?
 *   atom   := number | string | 'true' | 'false' | path | path '(' args ')' | '(' expr ')'
 *   path   := name ('.' name | '[' expr ']')*
 */

export type Node =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'ref'; path: string[] }
  | { kind: 'call'; fn: string; args: Node[] }
  | { kind: 'unary'; op: '-' | 'not'; arg: Node }
  | { kind: 'binary'; op: BinaryOp; left: Node; right: Node };

export type BinaryOp =
  '+' | '-' | '*' | '/' | '%' | '^' | '<' | '<=' | '>' | '>=' | '==' | '!=' | 'and' | 'or';
export type Value = number | string | boolean;

export class ExpressionError extends Error {
  constructor(
    message: string,
    /** Offset in the expression text where the problem is. */
    readonly at: number,
  ) {
    super(message);
    this.name = 'ExpressionError';
  }
}

interface Token {
  type: 'num' | 'str' | 'name' | 'op' | 'end';
  text: string;
  at: number;
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

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i] as string;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      out.push({ type: 'num', text: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
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

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.or();
    const t = this.peek();
    if (t.type !== 'end') throw new ExpressionError(`unexpected "${t.text}"`, t.at);
    return node;
  }

  private peek(): Token {
    return this.tokens[this.i] as Token;
  }
  private next(): Token {
    return this.tokens[this.i++] as Token;
  }
  private isOp(text: string): boolean {
    const t = this.peek();
    return (t.type === 'op' || t.type === 'name') && t.text === text;
  }
  private expect(text: string): void {
    const t = this.next();
    if (t.text !== text)
      throw new ExpressionError(
        `expected "${text}", got ${t.type === 'end' ? 'the end' : `"${t.text}"`}`,
        t.at,
      );
  }

  private or(): Node {
    let left = this.and();
    while (this.isOp('or')) {
      this.next();
      left = { kind: 'binary', op: 'or', left, right: this.and() };
    }
    return left;
  }
  private and(): Node {
    let left = this.not();
    while (this.isOp('and')) {
      this.next();
      left = { kind: 'binary', op: 'and', left, right: this.not() };
    }
    return left;
  }
  private not(): Node {
    if (this.isOp('not')) {
      this.next();
      return { kind: 'unary', op: 'not', arg: this.not() };
    }
    return this.cmp();
  }
  private cmp(): Node {
    const left = this.sum();
    const t = this.peek();
    if (t.type === 'op' && ['<', '<=', '>', '>=', '==', '!='].includes(t.text)) {
      this.next();
      return { kind: 'binary', op: t.text as BinaryOp, left, right: this.sum() };
    }
    return left;
  }
  private sum(): Node {
    let left = this.prod();
    while (this.isOp('+') || this.isOp('-')) {
      const op = this.next().text as BinaryOp;
      left = { kind: 'binary', op, left, right: this.prod() };
    }
    return left;
  }
  private prod(): Node {
    let left = this.unary();
    while (this.isOp('*') || this.isOp('/') || this.isOp('%')) {
      const op = this.next().text as BinaryOp;
      left = { kind: 'binary', op, left, right: this.unary() };
    }
    return left;
  }
  private unary(): Node {
    if (this.isOp('-')) {
      this.next();
      return { kind: 'unary', op: '-', arg: this.unary() };
    }
    if (this.isOp('+')) {
      this.next();
      return this.unary();
    }
    return this.power();
  }
  private power(): Node {
    const base = this.atom();
    if (this.isOp('^')) {
      this.next();
      return { kind: 'binary', op: '^', left: base, right: this.unary() };
    }
    return base;
  }
  private atom(): Node {
    const t = this.next();
    if (t.type === 'num') return { kind: 'num', value: Number(t.text) };
    if (t.type === 'str') return { kind: 'str', value: t.text };
    if (t.type === 'op' && t.text === '(') {
      const inner = this.or();
      this.expect(')');
      return inner;
    }
    if (t.type === 'name') {
      if (t.text === 'true' || t.text === 'false') return { kind: 'bool', value: t.text === 'true' };
      if (this.isOp('(')) return this.call(t.text);
      const path = [t.text];
      for (;;) {
        if (this.isOp('.')) {
          this.next();
          const n = this.next();
          if (n.type !== 'name' && n.type !== 'num')
            throw new ExpressionError('expected a name after "."', n.at);
          path.push(n.text);
        } else if (this.isOp('[')) {
          this.next();
          const k = this.next();
          if (k.type !== 'num' && k.type !== 'str')
            throw new ExpressionError('expected an index or a quoted key', k.at);
          path.push(k.text);
          this.expect(']');
        } else break;
      }
      return { kind: 'ref', path };
    }
    throw new ExpressionError(
      t.type === 'end' ? 'the expression ends too early' : `unexpected "${t.text}"`,
      t.at,
    );
  }
  private call(fn: string): Node {
    this.expect('(');
    const args: Node[] = [];
    if (!this.isOp(')')) {
      args.push(this.or());
      while (this.isOp(',')) {
        this.next();
        args.push(this.or());
      }
    }
    this.expect(')');
    return { kind: 'call', fn, args };
  }
}

export function parseExpression(text: string): Node {
  return new Parser(tokenize(text)).parse();
}

type Fn = (...args: number[]) => number;

/** Functions every expression may call. */
export const FUNCTIONS: Readonly<Record<string, Fn>> = {
  abs: Math.abs,
  min: Math.min,
  max: Math.max,
  sqrt: Math.sqrt,
  exp: Math.exp,
  log: Math.log,
  log10: Math.log10,
  round: Math.round,
  floor: Math.floor,
  ceil: Math.ceil,
};

/** Looks a reference up; undefined when it has no value. */
export type Resolver = (path: readonly string[]) => Value | undefined;

export function evaluateNode(node: Node, resolve: Resolver): Value {
  switch (node.kind) {
    case 'num':
    case 'str':
    case 'bool':
      return node.value;
    case 'ref': {
      const v = resolve(node.path);
      if (v === undefined) throw new ExpressionError(`${node.path.join('.')} has no value here`, 0);
      return v;
    }
    case 'call': {
      const fn = FUNCTIONS[node.fn];
      if (!fn) throw new ExpressionError(`unknown function ${node.fn}()`, 0);
      return fn(...node.args.map((a) => num(evaluateNode(a, resolve), node.fn)));
    }
    case 'unary':
      return node.op === '-'
        ? -num(evaluateNode(node.arg, resolve), '-')
        : !truthy(evaluateNode(node.arg, resolve));
    case 'binary':
      return binary(node.op, node.left, node.right, resolve);
  }
}

function binary(op: BinaryOp, l: Node, r: Node, resolve: Resolver): Value {
  if (op === 'and') return truthy(evaluateNode(l, resolve)) && truthy(evaluateNode(r, resolve));
  if (op === 'or') return truthy(evaluateNode(l, resolve)) || truthy(evaluateNode(r, resolve));
  const a = evaluateNode(l, resolve);
  const b = evaluateNode(r, resolve);
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '+':
      return typeof a === 'string' || typeof b === 'string' ? `${a}${b}` : num(a, op) + num(b, op);
    case '-':
      return num(a, op) - num(b, op);
    case '*':
      return num(a, op) * num(b, op);
    case '/':
      return num(a, op) / num(b, op);
    case '%':
      return num(a, op) % num(b, op);
    case '^':
      return num(a, op) ** num(b, op);
    case '<':
      return num(a, op) < num(b, op);
    case '<=':
      return num(a, op) <= num(b, op);
    case '>':
      return num(a, op) > num(b, op);
    case '>=':
      return num(a, op) >= num(b, op);
  }
}

function num(v: Value, op: string): number {
  if (typeof v !== 'number') throw new ExpressionError(`"${op}" needs numbers, got ${JSON.stringify(v)}`, 0);
  return v;
}

function truthy(v: Value): boolean {
  return v !== false && v !== 0 && v !== '';
}

/** Every reference path in an expression. */
export function referencesOf(node: Node): string[][] {
  switch (node.kind) {
    case 'ref':
      return [node.path];
    case 'call':
      return node.args.flatMap(referencesOf);
    case 'unary':
      return referencesOf(node.arg);
    case 'binary':
      return [...referencesOf(node.left), ...referencesOf(node.right)];
    default:
      return [];
  }
}

/**
 * The linear form of a numeric expression — constant + Σ coefficient·variable over single-name references — or
 * undefined when it is not linear (products of variables, functions of variables, …).
 */
export function linearForm(
  node: Node,
): { constant: number; coefficients: Record<string, number> } | undefined {
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

type Linear = { constant: number; coefficients: Record<string, number> };

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
