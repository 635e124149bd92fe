/**
 * Reads the shape of a zod schema: the keys a mapping may hold at a path (for "did you mean" on unknown keys), and
 * the type an environment variable must be coerced to.
 */
import type { z } from 'zod';
import type { PathKey } from './schema-messages.js';

interface Def {
  type: string;
  innerType?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  options?: z.ZodType[];
  in?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

const WRAPPERS = new Set(['default', 'prefault', 'optional', 'nullable', 'readonly', 'catch', 'nonoptional']);

/** Strips default/optional/nullable wrappers and refinement pipes. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (def.innerType && WRAPPERS.has(def.type)) s = def.innerType;
    else if (def.type === 'pipe' && def.in) s = def.in;
    else return s;
  }
}

export function shapeOf(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const def = defOf(unwrap(schema));
  return def.type === 'object' ? def.shape : undefined;
}

/** The leaf kind: 'object', 'array', 'string', 'number', 'boolean', 'enum', … */
export function kindOf(schema: z.ZodType): string {
  return defOf(unwrap(schema)).type;
}

/** The schemas that may describe the value at `path` (several where a union leaves it open). */
export function schemasAt(schema: z.ZodType, path: readonly PathKey[]): z.ZodType[] {
  let current = expand(schema);
  for (const key of path) {
    const next: z.ZodType[] = [];
    for (const s of current) {
      const def = defOf(s);
      if (def.type === 'object' && typeof key === 'string' && def.shape?.[key]) next.push(def.shape[key]);
      else if (def.type === 'record' && def.valueType) next.push(def.valueType);
      else if (def.type === 'array' && def.element) next.push(def.element);
    }
    current = next.flatMap(expand);
  }
  return current;
}

/** The keys a mapping at `path` may hold, according to the schema. */
export function knownKeysAt(schema: z.ZodType, path: readonly PathKey[]): string[] {
  const keys = new Set<string>();
  for (const s of schemasAt(schema, path)) for (const k of Object.keys(shapeOf(s) ?? {})) keys.add(k);
  return [...keys];
}

function expand(schema: z.ZodType): z.ZodType[] {
  const s = unwrap(schema);
  const def = defOf(s);
  if (def.type === 'union' && def.options) return def.options.flatMap(expand);
  if (def.type === 'intersection' && def.left && def.right)
    return [...expand(def.left), ...expand(def.right)];
  return [s];
}
