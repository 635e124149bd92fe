/**
 * YAML with positions. Parses a file keeping every node's place, validates it against a zod schema, and turns each
 * schema issue into a located Problem (`file:line:col: path: expected …, got …`). All problems of a file are
 * reported at once.
 */
import {
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  parseDocument,
  visit,
  type Document,
  type Node,
} from 'yaml';
import type { z } from 'zod';
import type { Problem } from './lab-error.js';
import { issuesToMessages, type PathKey } from './schema-messages.js';

export interface YamlSource {
  /** The file name as shown in messages. */
  file: string;
  text: string;
  doc: Document;
  lines: LineCounter;
}

export interface Parsed {
  source: YamlSource;
  /** The plain JavaScript value; undefined when the YAML itself is broken. */
  value: unknown;
  problems: Problem[];
}

export function parseYaml(file: string, text: string): Parsed {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const source: YamlSource = { file, text, doc, lines };
  const problems: Problem[] = doc.errors.map((e) => {
    const pos = lines.linePos(e.pos[0]);
    return { file, line: pos.line, col: pos.col, path: '', message: firstLine(e.message) };
  });
  if (problems.length > 0) return { source, value: undefined, problems };
  try {
    return { source, value: doc.toJS({ maxAliasCount: 100 }) as unknown, problems };
  } catch (e) {
    // An alias to an anchor that does not exist (`*limits`), or aliases that expand too far: located at the alias.
    const at = firstAlias(doc) ?? 0;
    const pos = lines.linePos(at);
    const message = e instanceof Error ? firstLine(e.message) : String(e);
    return {
      source,
      value: undefined,
      problems: [{ file, line: pos.line, col: pos.col, path: '', message }],
    };
  }
}

function firstAlias(doc: Document): number | undefined {
  let first: number | undefined;
  let unresolved: number | undefined;
  visit(doc, {
    Alias(_, node) {
      first ??= node.range?.[0];
      if (node.resolve(doc) !== undefined) return undefined;
      unresolved = node.range?.[0];
      return visit.BREAK;
    },
  });
  return unresolved ?? first;
}

/** Validates `value` (from `parseYaml`) and locates every issue in the source. */
export function validateWith<S extends z.ZodType>(
  source: YamlSource,
  schema: S,
  value: unknown,
): { data?: z.output<S>; problems: Problem[] } {
  const result = schema.safeParse(value);
  if (result.success) return { data: result.data, problems: [] };
  return {
    problems: issuesToMessages(result.error.issues, value, schema).map((m) =>
      problemAt(source, m.path, m.message, m.atKey),
    ),
  };
}

export function problemAt(
  source: YamlSource,
  path: readonly PathKey[],
  message: string,
  atKey = false,
): Problem {
  const pos = locate(source, path, atKey);
  return { file: source.file, ...pos, path: formatPath(path), message };
}

/** Line and column of the node at `path`, or of its deepest existing ancestor. */
export function locate(
  source: YamlSource,
  path: readonly PathKey[],
  atKey = false,
): { line: number; col: number } {
  let node: Node | null | undefined = source.doc.contents;
  let best: Node | null | undefined = node;
  for (let i = 0; i < path.length && node; i++) {
    const key = path[i];
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key),
      );
      if (!pair) break;
      const isLast = i === path.length - 1;
      node = (isLast && atKey ? pair.key : (pair.value ?? pair.key)) as Node | null;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key] as Node | undefined;
    } else break;
    if (node) best = node;
  }
  const offset = best?.range?.[0] ?? 0;
  return source.lines.linePos(offset);
}

export function formatPath(path: readonly PathKey[]): string {
  let out = '';
  for (const k of path) out += typeof k === 'number' ? `[${k}]` : out ? `.${String(k)}` : String(k);
  return out;
}

/** In reading order: by file, then line, then column. */
export function sortProblems(problems: Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) => a.file.localeCompare(b.file) || (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0),
  );
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
