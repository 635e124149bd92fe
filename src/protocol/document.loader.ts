/**
 * Reads lab, protocol, campaign and space files: YAML with positions, the schema, then the semantic checks — all
 * problems of a file at once, each located (`file:line:col: path: …`). Files are told apart by `kind` (a space file
 * has none). A campaign's `lab:` and `protocol:` paths are relative to the campaign file, and their problems are
 * reported in their own files. Nothing here connects to anything; files are read through a `DocumentReader` so the
 * same code checks text held in memory (tests, stored documents).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { DocumentInvalidError, type Problem } from '../common/lab-error.js';
import type { PathKey } from '../common/schema-messages.js';
import { didYouMean } from '../common/suggest.js';
import { parseYaml, problemAt, validateWith, type YamlSource } from '../common/yaml-source.js';
import { checkCampaign } from './campaign.checks.js';
import { campaignSchema, parameterSchema, type CampaignSpec } from './campaign.schema.js';
import { campaignParts, labParts, protocolParts } from './document-parts.js';
import { checkLab, type Finding } from './lab.checks.js';
import { labSchema, type LabSpec } from './lab.schema.js';
import { partialRecord } from './partial-parse.js';
import type { CompiledProtocol } from './plan.js';
import { checkProtocol, type PartialProtocol } from './protocol.checks.js';
import { compileProtocol } from './protocol.compiler.js';
import {
  protocolFileSchema,
  protocolSchema,
  type ProtocolFileSpec,
  type ProtocolSpec,
} from './protocol.schema.js';
import { ident, KINDS } from './schema-parts.js';
import { checkConstraints, checkParameters } from './search-space.checks.js';
import { spaceSchema, type SpaceSpec } from './space.schema.js';

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

interface Analysis<T> {
  problems: Problem[];
  /** Set when the document has no problem. */
  doc?: T;
}

/** One file read and parsed, and its sections that passed the schema. */
interface Read {
  source: YamlSource;
  value: unknown;
}

/**
 * Recent parses, by path and text: a file is read once for its kind and once for its checks, and a lab is shared by
 * every campaign checked against it. Parsed documents are only ever read, never changed.
 */
const recent = new Map<string, { read?: Read; problems: Problem[] }>();

function read(path: string, text: string): { read?: Read; problems: Problem[] } {
  const key = `${path}\u0000${text}`;
  const hit = recent.get(key);
  if (hit) return hit;
  const { source, value, problems } = parseYaml(displayPath(path), text);
  const r = problems.length > 0 ? { problems } : { read: { source, value }, problems: [] };
  recent.set(key, r);
  if (recent.size > 16) recent.delete(recent.keys().next().value as string);
  return r;
}

function located(source: YamlSource, findings: readonly Finding[], prefix: PathKey[] = []): Problem[] {
  return findings.map((f) => problemAt(source, [...prefix, ...f.path], f.message, f.atKey));
}

/** The kind a document declares (a mapping without `kind` that has `parameters` is a space file). */
function kindOf(r: Read): { kind?: DocumentKind; problem?: Problem } {
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

function expectKind(r: Read, kind: DocumentKind): Problem | undefined {
  const k = kindOf(r);
  if (k.problem) return k.problem;
  if (k.kind === kind) return undefined;
  return problemAt(
    r.source,
    ['kind'],
    `expected a ${kind} file (kind: ${kind}), got ${k.kind === 'space' ? 'a space file' : `kind: ${k.kind}`}`,
  );
}

// ---- labs ----

interface LabAnalysis extends Analysis<LabDocument> {
  /** The parts that passed the schema, for checking documents that use the lab. */
  partial?: { spec: LabSpec; broken: Set<string> };
}

/** Recent lab analyses: one lab file is checked once for all the campaigns and protocols that use it. */
const recentLabs = new Map<string, LabAnalysis>();

export function analyzeLab(path: string, text: string): LabAnalysis {
  const key = `${path}\u0000${text}`;
  const hit = recentLabs.get(key);
  if (hit) return hit;
  const result = analyzeLabText(path, text);
  recentLabs.set(key, result);
  if (recentLabs.size > 8) recentLabs.delete(recentLabs.keys().next().value as string);
  return result;
}

function analyzeLabText(path: string, text: string): LabAnalysis {
  const r = read(path, text);
  if (!r.read) return { problems: r.problems };
  const wrong = expectKind(r.read, 'lab');
  if (wrong) return { problems: [wrong] };
  const { source, value } = r.read;
  const schema = validateWith(source, labSchema, value);
  const parts = schema.data ? { spec: schema.data, broken: new Set<string>() } : labParts(value);
  const findings = checkLab(parts.spec);
  const problems = [...schema.problems, ...located(source, findings)];
  const result: LabAnalysis = { problems, partial: parts };
  if (problems.length === 0 && schema.data) result.doc = { path, text, spec: schema.data };
  return result;
}

// ---- protocols ----

export interface ProtocolAnalysis extends Analysis<ProtocolDocument> {
  partial?: PartialProtocol;
}

/** A protocol file on its own, checked against `lab` when one is given. */
export function analyzeProtocol(path: string, text: string, lab?: LabAnalysis): ProtocolAnalysis {
  const r = read(path, text);
  if (!r.read) return { problems: r.problems };
  const wrong = expectKind(r.read, 'protocol');
  if (wrong) return { problems: [wrong] };
  const { source, value } = r.read;
  const schema = validateWith(source, protocolFileSchema, value);
  const partial = schema.data ?? protocolParts(value, protocolFileSchema);
  const findings = checkProtocol(partial, {
    lab: lab?.partial?.spec,
    brokenInstruments: lab?.partial?.broken,
  }).findings;
  const problems = [...schema.problems, ...located(source, findings)];
  const result: ProtocolAnalysis = { problems, partial };
  if (problems.length === 0 && schema.data) result.doc = { path, text, spec: schema.data };
  return result;
}

// ---- campaigns ----

export interface CampaignSources {
  reader?: DocumentReader;
  /** Replaces the campaign's `lab:` (`--lab`). */
  labPath?: string;
  /** Already read lab and protocol documents (a campaign rebuilt from the store). */
  lab?: LabDocument;
  protocolFile?: ProtocolDocument;
}

export function analyzeCampaign(
  path: string,
  text: string,
  o: CampaignSources = {},
): Analysis<CampaignDocument> {
  const reader = o.reader ?? fileReader;
  const r = read(path, text);
  if (!r.read) return { problems: r.problems };
  const wrong = expectKind(r.read, 'campaign');
  if (wrong) return { problems: [wrong] };
  const { source, value } = r.read;
  const raw = value as Record<string, unknown>;
  const problems: Problem[] = [];

  const lab = o.lab
    ? { problems: [], doc: o.lab, partial: { spec: o.lab.spec, broken: new Set<string>() } }
    : loadLabOf(source, raw, path, o.labPath, reader);
  problems.push(...lab.problems);

  const protocolRef = raw['protocol'];
  let protocol: PartialProtocol | undefined;
  let protocolFile: ProtocolDocument | undefined;
  let protocolSource: YamlSource | undefined;
  if (typeof protocolRef === 'string' && protocolRef !== '') {
    const loaded = o.protocolFile ?? loadProtocolOf(source, protocolRef, path, reader);
    if ('problems' in loaded) problems.push(...loaded.problems);
    if (loaded.text !== undefined) {
      const pr = read(loaded.path, loaded.text);
      problems.push(...pr.problems);
      const wrongKind = pr.read && expectKind(pr.read, 'protocol');
      if (wrongKind) problems.push(wrongKind);
      else if (pr.read) {
        protocolSource = pr.read.source;
        const parsed = validateWith(pr.read.source, protocolFileSchema, pr.read.value);
        problems.push(...parsed.problems);
        protocol = parsed.data ?? protocolParts(pr.read.value, protocolFileSchema);
        if (parsed.data) protocolFile = { path: loaded.path, text: loaded.text, spec: parsed.data };
      }
    }
  }

  const schema = validateWith(source, campaignSchema, value);
  if (protocolRef !== undefined && typeof protocolRef === 'object') {
    const inline = schema.data?.protocol;
    protocol = inline && typeof inline !== 'string' ? inline : protocolParts(protocolRef, protocolSchema);
  }
  problems.push(...schema.problems);
  const parts = schema.data
    ? { spec: schema.data, brokenParameters: new Set<string>() }
    : campaignParts(value);
  const spec = parts.spec;
  const findings = checkCampaign(spec, {
    protocol,
    lab: lab.partial?.spec,
    brokenInstruments: lab.partial?.broken,
    brokenParameters: parts.brokenParameters,
  });
  problems.push(...located(source, findings.campaign));
  if (protocolSource) problems.push(...located(protocolSource, findings.protocol));
  else problems.push(...located(source, findings.protocol, ['protocol']));

  const full = schema.data;
  const protocolSpec = full && (typeof full.protocol === 'string' ? protocolFile?.spec : full.protocol);
  if (problems.length > 0 || !full || !lab.doc || !protocolSpec) return { problems: dedupe(problems) };
  return {
    problems: [],
    doc: {
      path,
      text,
      spec: full,
      lab: lab.doc,
      protocol: protocolSpec,
      ...(protocolFile ? { protocolFile } : {}),
      plan: compileProtocol(protocolSpec, lab.doc.spec),
    },
  };
}

function loadLabOf(
  source: YamlSource,
  raw: Record<string, unknown>,
  campaignPath: string,
  override: string | undefined,
  reader: DocumentReader,
): LabAnalysis {
  let labPath: string;
  if (override) labPath = resolve(override);
  else {
    const lab = raw['lab'];
    if (typeof lab !== 'string' || lab === '')
      return {
        problems: [problemAt(source, ['lab'], 'expected the path of a lab file (or run with --lab)')],
      };
    labPath = resolve(dirname(campaignPath), lab);
  }
  const text = reader(labPath);
  if (text === undefined)
    return {
      problems: [
        override
          ? { file: displayPath(labPath), path: '', message: 'file not found' }
          : problemAt(source, ['lab'], `lab file not found: ${displayPath(labPath)}`),
      ],
    };
  return analyzeLab(labPath, text);
}

/** The protocol file a campaign names: its text, or where it is missing. */
function loadProtocolOf(
  source: YamlSource,
  ref: string,
  campaignPath: string,
  reader: DocumentReader,
): { problems: Problem[]; path: string; text?: string } {
  const path = resolve(dirname(campaignPath), ref);
  const text = reader(path);
  if (text === undefined)
    return {
      path,
      problems: [problemAt(source, ['protocol'], `protocol file not found: ${displayPath(path)}`)],
    };
  return { path, text, problems: [] };
}

// ---- space files ----

export function analyzeSpace(path: string, text: string): Analysis<SpaceDocument> {
  const r = read(path, text);
  if (!r.read) return { problems: r.problems };
  const wrong = expectKind(r.read, 'space');
  if (wrong) return { problems: [wrong] };
  const { source, value } = r.read;
  const schema = validateWith(source, spaceSchema, value);
  const parameters = partialRecord(parameterSchema, (value as { parameters?: unknown }).parameters, ident());
  const findings: Finding[] = [...checkParameters(parameters.value)];
  const constraints = (value as { constraints?: unknown }).constraints;
  if (
    Array.isArray(constraints) &&
    constraints.every((c) => typeof c === 'string') &&
    parameters.broken.size === 0
  )
    findings.push(...checkConstraints(constraints, parameters.value).findings);
  const problems = [...schema.problems, ...located(source, findings)];
  if (problems.length > 0 || !schema.data) return { problems: dedupe(problems) };
  return { problems: [], doc: { path, text, spec: schema.data } };
}

// ---- public entry points ----

function orThrow<T>(a: Analysis<T>): T {
  if (!a.doc)
    throw new DocumentInvalidError(
      a.problems.length > 0 ? a.problems : [{ file: '', path: '', message: 'invalid' }],
    );
  return a.doc;
}

/** Parses and validates lab text; `path` names it in messages. */
export function parseLab(path: string, text: string): LabDocument {
  return orThrow(analyzeLab(path, text));
}

/** A protocol file's text, checked on its own (a stored protocol, already checked with its campaign). */
export function parseProtocolFile(path: string, text: string): ProtocolFileSpec {
  return orThrow(analyzeProtocol(path, text)).spec;
}

/** A campaign from text, with its lab (and protocol file) already read — e.g. rebuilt from the store. */
export function parseCampaign(
  path: string,
  text: string,
  lab: LabDocument,
  protocolFile?: ProtocolDocument,
): CampaignDocument {
  return orThrow(analyzeCampaign(path, text, { lab, ...(protocolFile ? { protocolFile } : {}) }));
}

/** Reads a campaign file, its lab file (`labOverride` replaces the campaign's `lab:`) and its protocol file. */
export function loadCampaignFile(
  path: string,
  labOverride?: string,
  reader: DocumentReader = fileReader,
): CampaignDocument {
  const abs = resolve(path);
  return orThrow(
    analyzeCampaign(abs, readFileText(abs, reader), {
      reader,
      ...(labOverride ? { labPath: labOverride } : {}),
    }),
  );
}

export function loadLabFile(path: string): LabDocument {
  const abs = resolve(path);
  return parseLab(abs, readFileText(abs));
}

export function loadSpaceFile(path: string): SpaceDocument {
  const abs = resolve(path);
  return orThrow(analyzeSpace(abs, readFileText(abs)));
}

export interface ValidateOptions {
  /** A lab for campaigns (instead of their `lab:`) and for protocol files. */
  lab?: string;
  reader?: DocumentReader;
}

/** Every problem in one file of any kind, for `labloop validate`; never throws for bad input. */
export function validateFile(path: string, o: ValidateOptions = {}): Problem[] {
  const reader = o.reader ?? fileReader;
  const abs = resolve(path);
  const text = reader(abs);
  if (text === undefined) return [{ file: displayPath(abs), path: '', message: 'file not found' }];
  return validateText(abs, text, o);
}

export function validateText(path: string, text: string, o: ValidateOptions = {}): Problem[] {
  const reader = o.reader ?? fileReader;
  const r = read(path, text);
  if (!r.read) return r.problems;
  const k = kindOf(r.read);
  if (k.problem || !k.kind) return k.problem ? [k.problem] : [];
  switch (k.kind) {
    case 'lab':
      return analyzeLab(path, text).problems;
    case 'space':
      return analyzeSpace(path, text).problems;
    case 'campaign':
      return analyzeCampaign(path, text, { reader, ...(o.lab ? { labPath: o.lab } : {}) }).problems;
    case 'protocol': {
      if (!o.lab) return analyzeProtocol(path, text).problems;
      const labPath = resolve(o.lab);
      const labText = reader(labPath);
      if (labText === undefined) return [{ file: displayPath(labPath), path: '', message: 'file not found' }];
      const lab = analyzeLab(labPath, labText);
      return dedupe([...lab.problems, ...analyzeProtocol(path, text, lab).problems]);
    }
  }
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.file}:${p.line}:${p.col}:${p.path}:${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
