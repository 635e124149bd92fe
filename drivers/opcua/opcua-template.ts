/**
 * Values in an OPC UA mapping: a literal, or text with `${…}` expressions of labloop's expression language over
 * `params.<name>`, `command.id` and `experiment.id`. A value that is one whole expression keeps its type; text
 * around expressions makes text. Compiled once when the driver is built.
 */
import {
  ExpressionError,
  evaluateNode,
  parseExpression,
  referencesOf,
  type Node,
} from '../../src/common/expression.js';
import { toPlain } from '../../src/common/quantity.js';

export type TemplateValue = number | string | boolean;

export interface TemplateContext {
  params: Record<string, unknown>;
  commandId: string;
  experimentId: string;
}

export interface Template {
  /** References it reads, as paths (`['params', 'temperature']`). */
  refs: string[][];
  /** The parameter this value is exactly (`${params.x}`), if it is nothing more. */
  param?: string;
  evaluate(ctx: TemplateContext): TemplateValue;
}

const PIECE = /\$\{([^}]*)\}/g;

export function compileTemplate(value: TemplateValue): Template {
  if (typeof value !== 'string' || !value.includes('${')) return { refs: [], evaluate: () => value };
  const whole = /^\$\{([^}]*)\}$/.exec(value);
  if (whole) {
    const node = parseExpression(whole[1] ?? '');
    const refs = referencesOf(node);
    const param =
      node.kind === 'ref' && node.path.length === 2 && node.path[0] === 'params' ? node.path[1] : undefined;
    return { refs, param, evaluate: (ctx) => run(node, ctx) };
  }
  const parts: (string | Node)[] = [];
  let last = 0;
  for (const m of value.matchAll(PIECE)) {
    parts.push(value.slice(last, m.index));
    parts.push(parseExpression(m[1] ?? ''));
    last = (m.index ?? 0) + m[0].length;
  }
  parts.push(value.slice(last));
  if (parts.some((p) => typeof p === 'string' && p.includes('${')))
    throw new ExpressionError('unclosed ${', 0);
  const refs = parts.flatMap((p) => (typeof p === 'string' ? [] : referencesOf(p)));
  return {
    refs,
    evaluate: (ctx) => parts.map((p) => (typeof p === 'string' ? p : String(run(p, ctx)))).join(''),
  };
}

/** Problems with the references of a template, given the action's parameter names. */
export function templateProblems(value: TemplateValue, params: readonly string[]): string[] {
  let t: Template;
  try {
    t = compileTemplate(value);
  } catch (e) {
    return [`cannot read ${JSON.stringify(value)}: ${e instanceof Error ? e.message : String(e)}`];
  }
  const out: string[] = [];
  for (const ref of t.refs) {
    const [root, key, more] = ref;
    const ok =
      more === undefined &&
      ((root === 'params' && key !== undefined && params.includes(key)) ||
        ((root === 'command' || root === 'experiment') && key === 'id'));
    if (!ok) {
      out.push(
        `cannot resolve \${${ref.join('.')}}: expected params.<one of ${params.join(', ') || 'no parameters'}>, ` +
          'command.id or experiment.id',
      );
    }
  }
  return out;
}

function run(node: Node, ctx: TemplateContext): TemplateValue {
  const v = evaluateValue(node, ctx);
  if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
  throw new ExpressionError('expected a number, text or true/false', 0);
}

function evaluateValue(node: Node, ctx: TemplateContext): unknown {
  return toPlain(
    evaluateNode(node, (path) => {
      const [root, key] = path;
      if (path.length !== 2) return undefined;
      if (root === 'params' && key !== undefined) {
        const v = ctx.params[key];
        return typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? v : undefined;
      }
      if (key !== 'id') return undefined;
      if (root === 'command') return ctx.commandId;
      if (root === 'experiment') return ctx.experimentId;
      return undefined;
    }),
  );
}
