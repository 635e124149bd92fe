/**
 * The one expression language of labloop, used by protocol values (`${inputs.volume * 2}`), conditions
 * (`reader.temperature >= 36.5 degC`), interlocks, analyzers and campaign constraints (`a + b + c <= 100`). Parsed
 * once into an AST, evaluated many times, and read statically (references, linear forms, intervals).
 *
 * Grammar (lowest precedence first):
 *   expr   := or ('to' unit)?                 unit conversion: `inputs.volume to uL`
 *   or     := and ('or' and)*                 and := not ('and' not)*         not := 'not' not | cmp
 *   cmp    := sum (('<' | '<=' | '>' | '>=' | '==' | '!=') sum)?
 *   sum    := prod (('+' | '-') prod)*        prod := unary (('*' | '/' | '%') unary)*
 *   unary  := '-' unary | power               power := atom ('^' unary)?
 *   atom   := number unit? | string | 'true' | 'false' | '[' (expr (',' expr)*)? ']'
 *           | path | name '(' args ')' | '(' expr ')'
 *   path   := name ('.' name | '[' (number | string) ']')*
 * A unit right after a number makes a quantity: `5 mL`, `2.5 min`, `8 bar`, `30 uL/min`.
 */
import { ExpressionError } from './expression-error.js';
import { FUNCTIONS } from './expression-functions.js';
import { KEYWORDS, tokenize, type Token } from './expression-tokens.js';
import { applyBinary, convertValue, negate, truthy, ValueError, type Value } from './quantity.js';
import { parseUnit } from './units.js';

export type { Value } from './quantity.js';

export type Node =
  | { kind: 'num'; value: number }
  | { kind: 'qty'; value: number; unit: string }
  | { kind: 'str'; value: string }
  | { kind: 'bool'; value: boolean }
  | { kind: 'list'; items: Node[] }
  | { kind: 'ref'; path: string[]; at: number }
  | { kind: 'call'; fn: string; args: Node[]; at: number }
  | { kind: 'unary'; op: '-' | 'not'; arg: Node }
  | { kind: 'binary'; op: BinaryOp; left: Node; right: Node }
  | { kind: 'convert'; arg: Node; unit: string };

export type BinaryOp =
  '+' | '-' | '*' | '/' | '%' | '^' | '<' | '<=' | '>' | '>=' | '==' | '!=' | 'and' | 'or';

export { ExpressionError } from './expression-error.js';

/** Deep enough for any expression a person writes; deeper input is refused instead of overflowing the stack. */
const MAX_DEPTH = 200;

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly src: string,
  ) {}

  parse(): Node {
    const node = this.expr();
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
    if (t.text !== text || t.type === 'str')
      throw new ExpressionError(
        `expected "${text}", got ${t.type === 'end' ? 'the end' : `"${t.text}"`}`,
        t.at,
      );
  }

  private expr(): Node {
    if (++this.depth > MAX_DEPTH)
      throw new ExpressionError('the expression is nested too deeply', this.peek().at);
    try {
      const arg = this.or();
      if (!this.isOp('to')) return arg;
      this.next();
      return { kind: 'convert', arg, unit: this.unit() };
    } finally {
      this.depth--;
    }
  }

  /** A unit after `to`: names joined by / and *, with ^n powers. */
  private unit(): string {
    const start = this.peek();
    if (start.type !== 'name') throw new ExpressionError('expected a unit after "to"', start.at);
    let end = start.at + start.text.length;
    this.next();
    for (;;) {
      if ((this.isOp('/') || this.isOp('*')) && this.tokens[this.i + 1]?.type === 'name') {
        this.next();
        const n = this.next();
        end = n.at + n.text.length;
      } else if (this.isOp('^')) {
        this.next();
        if (this.isOp('-')) this.next();
        const n = this.next();
        if (n.type !== 'num') throw new ExpressionError('expected a whole power after "^"', n.at);
        end = n.at + n.text.length;
      } else break;
    }
    const text = this.src.slice(start.at, end);
    if (!parseUnit(text)) throw new ExpressionError(`"${text}" is not a unit`, start.at);
    return text;
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
      return { kind: 'unary', op: 'not', arg: this.nested(() => this.not()) };
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
      return { kind: 'unary', op: '-', arg: this.nested(() => this.unary()) };
    }
    if (this.isOp('+')) {
      this.next();
      return this.nested(() => this.unary());
    }
    return this.power();
  }
  private nested<T>(fn: () => T): T {
    if (++this.depth > MAX_DEPTH)
      throw new ExpressionError('the expression is nested too deeply', this.peek().at);
    try {
      return fn();
    } finally {
      this.depth--;
    }
  }
  private power(): Node {
    const base = this.atom();
    if (this.isOp('^')) {
      this.next();
      return { kind: 'binary', op: '^', left: base, right: this.nested(() => this.unary()) };
    }
    return base;
  }
  private atom(): Node {
    const t = this.next();
    if (t.type === 'num') {
      const value = Number(t.text);
      if (t.unit === undefined) return { kind: 'num', value };
      if (!parseUnit(t.unit)) throw new ExpressionError(`"${t.unit}" is not a unit`, t.at);
      return { kind: 'qty', value, unit: t.unit };
    }
    if (t.type === 'str') return { kind: 'str', value: t.text };
    if (t.type === 'op' && t.text === '(') {
      const inner = this.expr();
      this.expect(')');
      return inner;
    }
    if (t.type === 'op' && t.text === '[') return this.list();
    if (t.type === 'name' && !KEYWORDS.has(t.text)) {
      if (this.isOp('(')) return this.call(t);
      return this.path(t);
    }
    if (t.type === 'name' && (t.text === 'true' || t.text === 'false'))
      return { kind: 'bool', value: t.text === 'true' };
    throw new ExpressionError(
      t.type === 'end' ? 'the expression ends too early' : `unexpected "${t.text}"`,
      t.at,
    );
  }
  private path(first: Token): Node {
    const path = [first.text];
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
        if ((k.type !== 'num' || k.unit !== undefined) && k.type !== 'str')
          throw new ExpressionError('expected an index or a quoted key', k.at);
        path.push(k.text);
        this.expect(']');
      } else break;
    }
    return { kind: 'ref', path, at: first.at };
  }
  private list(): Node {
    const items: Node[] = [];
    if (!this.isOp(']')) {
      items.push(this.expr());
      while (this.isOp(',')) {
        this.next();
        items.push(this.expr());
      }
    }
    this.expect(']');
    return { kind: 'list', items };
  }
  private call(name: Token): Node {
    this.expect('(');
    const args: Node[] = [];
    if (!this.isOp(')')) {
      args.push(this.expr());
      while (this.isOp(',')) {
        this.next();
        args.push(this.expr());
      }
    }
    this.expect(')');
    return { kind: 'call', fn: name.text, args, at: name.at };
  }
}

export function parseExpression(text: string): Node {
  return new Parser(tokenize(text), text).parse();
}

/** Looks a reference up; undefined when it has no value. */
export type Resolver = (path: readonly string[]) => Value | undefined;

export function evaluateNode(node: Node, resolve: Resolver): Value {
  try {
    return evaluate(node, resolve);
  } catch (e) {
    if (e instanceof ValueError) throw new ExpressionError(e.message, 0);
    throw e;
  }
}

function evaluate(node: Node, resolve: Resolver): Value {
  switch (node.kind) {
    case 'num':
    case 'str':
    case 'bool':
      return node.value;
    case 'qty':
      return convertValue(node.value, parseUnit(node.unit) as NonNullable<ReturnType<typeof parseUnit>>);
    case 'list':
      return node.items.map((n) => evaluate(n, resolve));
    case 'ref': {
      const v = resolve(node.path);
      if (v === undefined) throw new ExpressionError(`${node.path.join('.')} has no value here`, node.at);
      return v;
    }
    case 'call': {
      const fn = FUNCTIONS[node.fn];
      if (!fn) throw new ExpressionError(`unknown function ${node.fn}()`, node.at);
      return fn(node.args.map((a) => evaluate(a, resolve)));
    }
    case 'unary':
      return node.op === '-' ? negate(evaluate(node.arg, resolve)) : !truthy(evaluate(node.arg, resolve));
    case 'convert': {
      const unit = parseUnit(node.unit);
      if (!unit) throw new ExpressionError(`"${node.unit}" is not a unit`, 0);
      return convertValue(evaluate(node.arg, resolve), unit);
    }
    case 'binary':
      if (node.op === 'and')
        return truthy(evaluate(node.left, resolve)) && truthy(evaluate(node.right, resolve));
      if (node.op === 'or')
        return truthy(evaluate(node.left, resolve)) || truthy(evaluate(node.right, resolve));
      return applyBinary(node.op, evaluate(node.left, resolve), evaluate(node.right, resolve));
  }
}

/** Every reference in an expression, with where it starts. */
export function referenceNodes(node: Node): Extract<Node, { kind: 'ref' }>[] {
  switch (node.kind) {
    case 'ref':
      return [node];
    case 'call':
      return node.args.flatMap(referenceNodes);
    case 'list':
      return node.items.flatMap(referenceNodes);
    case 'unary':
    case 'convert':
      return referenceNodes(node.arg);
    case 'binary':
      return [...referenceNodes(node.left), ...referenceNodes(node.right)];
    default:
      return [];
  }
}

/** Every reference path in an expression. */
export function referencesOf(node: Node): string[][] {
  return referenceNodes(node).map((r) => r.path);
}

/** Every function call, for checking names and argument counts. */
export function callsOf(node: Node): Extract<Node, { kind: 'call' }>[] {
  switch (node.kind) {
    case 'call':
      return [node, ...node.args.flatMap(callsOf)];
    case 'list':
      return node.items.flatMap(callsOf);
    case 'unary':
    case 'convert':
      return callsOf(node.arg);
    case 'binary':
      return [...callsOf(node.left), ...callsOf(node.right)];
    default:
      return [];
  }
}

/** A quantity's unit literals (`5 mL`), for checks that want plain numbers. */
export function hasQuantities(node: Node): boolean {
  switch (node.kind) {
    case 'qty':
    case 'convert':
      return true;
    case 'call':
      return node.args.some(hasQuantities);
    case 'list':
      return node.items.some(hasQuantities);
    case 'unary':
      return hasQuantities(node.arg);
    case 'binary':
      return hasQuantities(node.left) || hasQuantities(node.right);
    default:
      return false;
  }
}

export { linearForm, type Linear } from './expression-linear.js';
