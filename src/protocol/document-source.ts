/**
 * What the document loader works with: the kinds of documents and their parsed forms, how files are read (from disk
 * or from memory), recent parses (a file is parsed once for its kind and once for its checks), and how findings
 * become located problems.
 */
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { DocumentInvalidError, type Problem } from '../common/lab-error.js';
import type { PathKey } from '../common/schema-messages.js';
import { didYouMean } from '../common/suggest.js';
import { parseYaml, problemAt, type YamlSource } from '../common/yaml-source.js';
import type { CampaignSpec } from './campaign.schema.js';
import type { Finding } from './lab.checks.js';
import type { LabSpec } from './lab.schema.js';
import type { CompiledProtocol } from './plan.js';
import type { ProtocolFileSpec, ProtocolSpec } from './protocol.schema.js';
import { KINDS } from './schema-parts.js';
import type { SpaceSpec } from './space.schema.js';

export type DocumentKind = 'lab' | 'protocol' | 'campaign' | 'space';

export interface LabDocument {
  /** Absolute path (or a label for stored text). */
  path: string;
  text: string;
  spec: LabSpec;
}

export interface ProtocolDocument {
  path: string;
  text: string;
  spec: ProtocolFileSpec;
}

export interface CampaignDocument {
  path: string;
  text: string;
  spec: CampaignSpec;
  lab: LabDocument;
  /** The protocol, inline or from its file. */
  protocol: ProtocolSpec;
  /** The protocol file, when the campaign names one (stored with the campaign for provenance). */
  protocolFile?: ProtocolDocument;
  /** The protocol compiled against the lab. */
  plan: CompiledProtocol;
}

export interface SpaceDocument {
  path: string;
  text: string;
  spec: SpaceSpec;
}

/** Reads a file's text by absolute path; undefined when there is none. */
export type DocumentReader = (path: string) => string | undefined;

export const fileReader: DocumentReader = (path) =>
  existsSync(path) ? readFileSync(path, 'utf8') : undefined;

/** How a file is named in messages: relative to the working directory when inside it. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

export function readFileText(path: string, reader: DocumentReader = fileReader): string {
  const text = reader(path);
  if (text === undefined)
    throw new DocumentInvalidError([{ file: displayPath(path), path: '', message: 'file not found' }]);
  return text;
}

export interface Analysis<T> {
  problems: Problem[];
  /** Set when the document has no problem. */
  doc?: T;
}

/** One file read and parsed, and its sections that passed the schema. */
export interface Read {
  source: YamlSource;
  value: unknown;
}

/**
 * Recent parses, by path and text: a file is read once for its kind and once for its checks, and a lab is shared by
 * every campaign checked against it. Parsed documents are only ever read, never changed.
 */
export const recent = new Map<string, { read?: Read; problems: Problem[] }>();

export function read(path: string, text: string): { read?: Read; problems: Problem[] } {
  const key = `${path}\u0000${text}`;
  const hit = recent.get(key);
  if (hit) return hit;
  const { source, value, problems } = parseYaml(displayPath(path), text);
  const r = problems.length > 0 ? { problems } : { read: { source, value }, problems: [] };
  recent.set(key, r);
  if (recent.size > 16) recent.delete(recent.keys().next().value as string);
  return r;
}

export function located(source: YamlSource, findings: readonly Finding[], prefix: PathKey[] = []): Problem[] {
  return findings.map((f) => problemAt(source, [...prefix, ...f.path], f.message, f.atKey));
}

/** The kind a document declares (a mapping without `kind` that has `parameters` is a space file). */
export function kindOf(r: Read): { kind?: DocumentKind; problem?: Problem } {
  const v = r.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    return { problem: problemAt(r.source, [], 'expected a mapping with kind: lab, protocol or campaign') };
  const kind = (v as { kind?: unknown }).kind;
  if (kind === undefined && 'parameters' in v && !('lab' in v)) return { kind: 'space' };
  if (typeof kind === 'string' && (KINDS as readonly string[]).includes(kind))
    return { kind: kind as DocumentKind };
  const found = kind === undefined ? 'nothing' : JSON.stringify(kind);
  const hint = typeof kind === 'string' ? didYouMean(kind, KINDS) : '';
  return {
    problem: problemAt(
      r.source,
      ['kind'],
      `expected one of "lab", "protocol", "campaign", got ${found}${hint}`,
    ),
  };
}

export function expectKind(r: Read, kind: DocumentKind): Problem | undefined {
  const k = kindOf(r);
  if (k.problem) return k.problem;
  if (k.kind === kind) return undefined;
  return problemAt(
    r.source,
    ['kind'],
    `expected a ${kind} file (kind: ${kind}), got ${k.kind === 'space' ? 'a space file' : `kind: ${k.kind}`}`,
  );
}

export function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}:${p.line}:${p.col}:${p.path}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
