/**
 * The analysis of each kind of document: YAML with positions, the schema, then the semantic checks — all problems of
 * a file at once, each located. A campaign's `lab:` and `protocol:` are read relative to it (through the reader),
 * and their problems are reported in their own files. Only a document without problems is returned as such.
 */
import { dirname, resolve } from 'node:path';
import type { Problem } from '../common/lab-error.js';
import { problemAt, validateWith, type YamlSource } from '../common/yaml-source.js';
import { checkCampaign } from './campaign.checks.js';
import { campaignSchema, parameterSchema } from './campaign.schema.js';
import { campaignParts, labParts, protocolParts } from './document-parts.js';
import {
  dedupe,
  displayPath,
  expectKind,
  fileReader,
  located,
  read,
  type Analysis,
  type CampaignDocument,
  type DocumentReader,
  type LabDocument,
  type ProtocolDocument,
  type SpaceDocument,
} from './document-source.js';
import { checkLab, type Finding } from './lab.checks.js';
import { labSchema, type LabSpec } from './lab.schema.js';
import { partialRecord } from './partial-parse.js';
import { checkProtocol, type PartialProtocol } from './protocol.checks.js';
import { compileProtocol } from './protocol.compiler.js';
import { protocolFileSchema, protocolSchema } from './protocol.schema.js';
import { ident } from './schema-parts.js';
import { checkConstraints, checkParameters } from './search-space.checks.js';
import { spaceSchema } from './space.schema.js';

// ---- labs ----

export interface LabAnalysis extends Analysis<LabDocument> {
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
