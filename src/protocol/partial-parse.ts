/**
 * The parts of a document that pass its schema, when the whole does not: each top-level section on its own, each
 * entry of a mapping (parameters, instruments …) and each step on its own. The semantic checks run on these parts,
 * so a typo in one place hides no problem elsewhere — all problems of a file are reported at once. Names whose entry
 * is broken are remembered, so checks do not call them missing.
 */
import type { z } from 'zod';
import { shapeOf } from '../common/zod-introspect.js';

export interface Partial<T> {
  value: T;
  /** Names whose entries failed the schema (they exist, but nothing is known about them). */
  broken: Set<string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Each section of `raw` that passes its own schema; `deeper` parses some sections part by part instead. */
export function partialObject(
  schema: z.ZodType,
  raw: unknown,
  deeper: Record<string, (raw: unknown) => unknown> = {},
): Record<string, unknown> {
  const whole = schema.safeParse(raw);
  if (whole.success) return whole.data as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (!isObject(raw)) return out;
  for (const [key, field] of Object.entries(shapeOf(schema) ?? {})) {
    const special = deeper[key];
    if (special) {
      const v = special(raw[key]);
      if (v !== undefined) out[key] = v;
      continue;
    }
    const r = field.safeParse(raw[key]);
    if (r.success && r.data !== undefined) out[key] = r.data;
  }
  return out;
}

/** Each entry of a mapping that passes `entry` (and whose name passes `key`). */
export function partialRecord<T>(
  entry: z.ZodType<T>,
  raw: unknown,
  key?: z.ZodType,
): Partial<Record<string, T>> {
  const value: Record<string, T> = {};
  const broken = new Set<string>();
  if (!isObject(raw)) return { value, broken };
  for (const [k, v] of Object.entries(raw)) {
    const r = entry.safeParse(v);
    if (r.success && (!key || key.safeParse(k).success)) value[k] = r.data;
    else broken.add(k);
  }
  return { value, broken };
}

/** Each element of a list that passes `element`; failing ones are undefined, and the ids inside them remembered. */
export function partialList<T>(
  element: z.ZodType<T>,
  raw: unknown,
  names: string[] = ['id'],
): Partial<(T | undefined)[]> {
  const broken = new Set<string>();
  if (!Array.isArray(raw)) return { value: [], broken };
  const value = (raw as unknown[]).map((v) => {
    const r = element.safeParse(v);
    if (r.success) return r.data;
    collectNames(v, names, broken);
    return undefined;
  });
  return { value, broken };
}

/** Every string under one of `names`, at any depth (the ids and measurement names of a broken step). */
export function collectNames(v: unknown, names: string[], into: Set<string>, depth = 0): void {
  if (depth > 50) return;
  if (Array.isArray(v)) for (const x of v) collectNames(x, names, into, depth + 1);
  else if (isObject(v))
    for (const [k, x] of Object.entries(v)) {
      if (names.includes(k) && typeof x === 'string') into.add(x);
      else collectNames(x, names, into, depth + 1);
    }
}
