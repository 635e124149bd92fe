/**
 * Expressions inside protocol values: `${inputs.temperature}` or `${steps.read.result.rate}`. A value that is one
 * expression keeps the referenced value's type; text around expressions makes the result text.
 */
import { LabError } from '../common/lab-error.js';

export type Scalar = number | string | boolean;

export interface ExpressionContext {
  inputs: Record<string, Scalar>;
  steps: Record<string, { result: Record<string, unknown> }>;
}

const EXPR = /\$\{([^}]*)\}/g;
const REF = /^\s*([A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*)\s*$/;

/** The references (`inputs.x`, `steps.a.result.y`) a value uses, with any syntax problem. */
export function referencesIn(value: unknown): { refs: string[][]; problems: string[] } {
  const refs: string[][] = [];
  const problems: string[] = [];
  if (typeof value !== 'string') return { refs, problems };
  for (const m of value.matchAll(EXPR)) {
    const body = m[1] ?? '';
    const ref = REF.exec(body);
    if (!ref)
      problems.push(
        `cannot read the expression \${${body}}: expected a reference such as inputs.temperature`,
      );
    else refs.push((ref[1] ?? '').split('.'));
  }
  if (value.includes('${') && refs.length + problems.length === 0) problems.push('unclosed ${ in the value');
  return { refs, problems };
}

export function evaluate(value: Scalar, ctx: ExpressionContext): Scalar {
  if (typeof value !== 'string' || !value.includes('${')) return value;
  const whole = /^\$\{([^}]*)\}$/.exec(value);
  if (whole) return lookup(whole[1] ?? '', ctx);
  return value.replace(EXPR, (_, body: string) => String(lookup(body, ctx)));
}

function lookup(body: string, ctx: ExpressionContext): Scalar {
  const ref = REF.exec(body);
  if (!ref) throw new LabError('DOCUMENT_INVALID', `cannot read the expression \${${body}}`);
  let v: unknown = ctx;
  for (const key of (ref[1] ?? '').split('.')) {
    v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  }
  if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') {
    throw new LabError('DOCUMENT_INVALID', `\${${body}} has no value here`);
  }
  return v;
}
