/**
 * Turns zod issues into the messages labloop prints: what was expected, what was found, and a suggestion where one
 * exists (`expected an integer, got "eighty"`, `unknown key "htp"; did you mean "http"?`).
 */
import type { z } from 'zod';
import { didYouMean } from './suggest.js';
import { knownKeysAt } from './zod-introspect.js';

export type PathKey = string | number;
type Issue = z.core.$ZodIssue;

export interface SchemaMessage {
  path: PathKey[];
  message: string;
  /** Point at the key rather than its value (unknown keys). */
  atKey: boolean;
}

/** `schema` lets unknown keys get a "did you mean" from the keys the schema allows at that place. */
export function issuesToMessages(
  issues: readonly Issue[],
  root: unknown,
  schema?: z.ZodType,
  base: PathKey[] = [],
): SchemaMessage[] {
  const out: SchemaMessage[] = [];
  for (const issue of issues) {
    const path = [...base, ...issue.path.map((k) => (typeof k === 'number' ? k : String(k)))];
    out.push(...messagesFor(issue, path, root, schema));
  }
  return dedupe(out);
}

function messagesFor(
  issue: Issue,
  path: PathKey[],
  root: unknown,
  schema: z.ZodType | undefined,
): SchemaMessage[] {
  const found = valueAt(root, path);
  const one = (message: string): SchemaMessage[] => [{ path, message, atKey: false }];
  switch (issue.code) {
    case 'invalid_type': {
      // A schema may name the type itself (`z.int({ error: 'expected an integer' })`); zod alone says "number".
      const expected = issue.message.startsWith('expected ')
        ? issue.message.slice(9)
        : typeName(issue.expected);
      if (found === undefined) return one(`required, but missing (expected ${expected})`);
      return one(`expected ${expected}, got ${describeValue(found)}`);
    }
    case 'too_big':
      return one(
        `expected ${bound('at most', 'less than', issue.maximum, issue.inclusive, issue.origin)}, got ${describeSize(found, issue.origin)}`,
      );
    case 'too_small':
      return one(
        `expected ${bound('at least', 'more than', issue.minimum, issue.inclusive, issue.origin)}, got ${describeSize(found, issue.origin)}`,
      );
    case 'invalid_value': {
      const choices = issue.values.map((v) => JSON.stringify(v));
      const hint = typeof found === 'string' ? didYouMean(found, issue.values.map(String)) : '';
      const expected = choices.length === 1 ? choices[0] : `one of ${choices.join(', ')}`;
      return one(`expected ${expected}, got ${describeValue(found)}${hint}`);
    }
    case 'unrecognized_keys': {
      const known = schema ? knownKeysAt(schema, path) : [];
      return issue.keys.map((k) => ({
        path: [...path, k],
        message: `unknown key "${k}"${didYouMean(k, known)}`,
        atKey: true,
      }));
    }
    case 'invalid_union':
      return unionMessages(issue, path, root, schema);
    case 'invalid_format': {
      // A pattern with its own words (`a time of day such as 08:00`) says what it wants better than the regex.
      const own = issue.format === 'regex' && issue.message && !issue.message.startsWith('Invalid');
      const wanted = own
        ? issue.message.replace(/^expected /, '')
        : issue.format === 'regex'
          ? `text matching ${issue.pattern ?? 'the pattern'}`
          : `a valid ${issue.format}`;
      return one(`expected ${wanted}, got ${describeValue(found)}`);
    }
    case 'not_multiple_of':
      return one(`expected a multiple of ${issue.divisor}, got ${describeValue(found)}`);
    case 'invalid_key':
    case 'invalid_element':
      return issuesToMessages(issue.issues, root, schema, path);
    case 'custom':
      return [{ path, message: issue.message, atKey: issue.params?.['atKey'] === true }];
    default:
      return one((issue as { message: string }).message);
  }
}

/** Of the union's branches, report the one that got furthest; if all failed on the type, list the types. */
function unionMessages(
  issue: Extract<Issue, { code: 'invalid_union' }>,
  path: PathKey[],
  root: unknown,
  schema: z.ZodType | undefined,
): SchemaMessage[] {
  const found = valueAt(root, path);
  if (issue.discriminator !== undefined && issue.errors.length === 0) {
    const allowed = 'options' in issue ? (issue.options ?? []) : [];
    const options = allowed.map((o) => JSON.stringify(o));
    const got = valueAt(found, [issue.discriminator]);
    const hint = typeof got === 'string' ? didYouMean(got, allowed.map(String)) : '';
    return [
      {
        path: [...path, issue.discriminator],
        message: `expected one of ${options.join(', ')}, got ${describeValue(got)}${hint}`,
        atKey: false,
      },
    ];
  }
  const branches = issue.errors.filter((b) => b.length > 0);
  const shaped = shapeMessages(branches, path, root, schema);
  if (shaped) return shaped;
  const typeOnly = branches.every(
    (b) => b.length === 1 && b[0]?.code === 'invalid_type' && b[0].path.length === 0,
  );
  if (typeOnly && branches.length > 0) {
    const names = branches.map((b) => typeName((b[0] as { expected: string }).expected));
    return [
      {
        path,
        message: `expected ${[...new Set(names)].join(' or ')}, got ${describeValue(found)}`,
        atKey: false,
      },
    ];
  }
  const best = [...branches].sort((a, b) => depth(b) - depth(a) || a.length - b.length)[0] ?? [];
  return issuesToMessages(best, root, schema, path);
}

/**
 * A mapping checked against a union of mapping shapes (protocol steps: an action, a wait, a read …): the branch
 * whose keys fit best is the one the author meant — fewest unknown and missing keys. When no branch fits better
 * than another, the author's keys say nothing: report the unknown keys with a suggestion from every branch's keys,
 * or the keys one of the branches needs.
 */
function shapeMessages(
  branches: readonly (readonly Issue[])[],
  path: PathKey[],
  root: unknown,
  schema: z.ZodType | undefined,
): SchemaMessage[] | undefined {
  const found = valueAt(root, path);
  if (typeof found !== 'object' || found === null || Array.isArray(found) || branches.length < 2)
    return undefined;
  const structural = (i: Issue): number => {
    if (i.code === 'unrecognized_keys' && i.path.length === 0) return i.keys.length;
    return missingKey(i, found) ? 1 : 0;
  };
  const scored = branches.map((b) => ({ b, score: b.reduce((n, i) => n + structural(i), 0) }));
  const best = Math.min(...scored.map((s) => s.score));
  const winners = scored.filter((s) => s.score === best);
  if (best === 0 || winners.length === 1) {
    const chosen = [...winners].sort((a, b) => depth(b.b) - depth(a.b) || a.b.length - b.b.length)[0];
    return chosen ? issuesToMessages(chosen.b, root, schema, path) : undefined;
  }
  const unknown = new Set<string>();
  for (const { b } of winners)
    for (const i of b)
      if (i.code === 'unrecognized_keys' && i.path.length === 0) i.keys.forEach((k) => unknown.add(k));
  const known = schema ? knownKeysAt(schema, path) : [];
  const everywhere = [...unknown].filter((k) =>
    winners.every(({ b }) => b.some((i) => i.code === 'unrecognized_keys' && i.keys.includes(k))),
  );
  if (everywhere.length > 0)
    return everywhere.map((k) => ({
      path: [...path, k],
      message: `unknown key "${k}"${didYouMean(k, known)}`,
      atKey: true,
    }));
  const needs = winners.flatMap(({ b }) =>
    b.filter((i) => missingKey(i, found)).map((i) => String(i.path[0])),
  );
  return [
    {
      path,
      message: `expected one of the keys ${[...new Set(needs)].map((k) => `"${k}"`).join(', ')}`,
      atKey: false,
    },
  ];
}

/** A required key the mapping lacks. */
function missingKey(i: Issue, found: unknown): boolean {
  return (
    (i.code === 'invalid_type' || i.code === 'invalid_union') &&
    i.path.length === 1 &&
    valueAt(found, i.path as PathKey[]) === undefined
  );
}

function depth(branch: readonly Issue[]): number {
  return Math.max(
    0,
    ...branch.map((i) => (i.code === 'invalid_type' && i.path.length === 0 ? -1 : i.path.length)),
  );
}

function bound(
  inclusiveWord: string,
  exclusiveWord: string,
  limit: number | bigint,
  inclusive: boolean | undefined,
  origin: string,
): string {
  const unit = origin === 'string' ? ' characters' : origin === 'array' || origin === 'set' ? ' items' : '';
  return `${inclusive === false ? exclusiveWord : inclusiveWord} ${String(limit)}${unit}`;
}

function describeSize(value: unknown, origin: string): string {
  if (origin === 'string' && typeof value === 'string') return `${value.length} characters`;
  if (Array.isArray(value)) return `${value.length} items`;
  return describeValue(value);
}

const TYPE_NAMES: Record<string, string> = {
  number: 'a number',
  int: 'an integer',
  string: 'a string',
  boolean: 'true or false',
  object: 'a mapping',
  record: 'a mapping',
  array: 'a list',
  tuple: 'a list',
  null: 'null',
  nan: 'NaN',
};

export function typeName(expected: string): string {
  return TYPE_NAMES[expected] ?? expected;
}

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return typeof value;
}

export function valueAt(root: unknown, path: readonly PathKey[]): unknown {
  let v: unknown = root;
  for (const k of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[k];
  }
  return v;
}

function dedupe(messages: SchemaMessage[]): SchemaMessage[] {
  const seen = new Set<string>();
  return messages.filter((m) => {
    const key = `${m.path.join('.')}\u0000${m.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
