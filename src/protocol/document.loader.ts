/**
 * Reads lab and campaign files: YAML with positions, schema validation, then the semantic checks, all problems of a
 * file at once. A campaign's `lab:` is relative to the campaign file. Nothing here connects to anything.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import type { z } from 'zod';
import { DocumentInvalidError, type Problem } from '../common/lab-error.js';
import { parseYaml, problemAt, validateWith, type YamlSource } from '../common/yaml-source.js';
import { checkCampaign } from './campaign.checks.js';
import { campaignSchema, type CampaignSpec } from './campaign.schema.js';
import { checkLab, type Finding } from './lab.checks.js';
import { labSchema, type LabSpec } from './lab.schema.js';

export const DOCUMENT_KINDS = ['lab', 'campaign'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];

export interface LabDocument {
  /** Absolute path (or a label for stored text). */
  path: string;
  text: string;
  spec: LabSpec;
}

export interface CampaignDocument {
  path: string;
  text: string;
  spec: CampaignSpec;
  lab: LabDocument;
}

/** How a file is named in messages: relative to the working directory when inside it. */
export function displayPath(path: string, cwd = process.cwd()): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

export function readFileText(path: string): string {
  if (!existsSync(path))
    throw new DocumentInvalidError([{ file: displayPath(path), path: '', message: 'file not found' }]);
  return readFileSync(path, 'utf8');
}

/** Parses and validates lab text; `path` names it in messages. */
export function parseLab(path: string, text: string): LabDocument {
  const { source, data } = parseAs(path, text, labSchema, 'lab');
  throwIfAny(findingsToProblems(source, checkLab(data)));
  return { path, text, spec: data };
}

/** Parses and validates campaign text against an already parsed lab. */
export function parseCampaign(path: string, text: string, lab: LabDocument): CampaignDocument {
  const { source, data } = parseAs(path, text, campaignSchema, 'campaign');
  throwIfAny(findingsToProblems(source, checkCampaign(data, lab.spec)));
  return { path, text, spec: data, lab };
}

/** Reads a campaign file and its lab file (`labOverride` replaces the campaign's `lab:`). */
export function loadCampaignFile(path: string, labOverride?: string): CampaignDocument {
  const abs = resolve(path);
  const text = readFileText(abs);
  const labPath = labOverride ? resolve(labOverride) : labPathOf(abs, text);
  const lab = parseLab(labPath, readFileText(labPath));
  return parseCampaign(abs, text, lab);
}

export function loadLabFile(path: string): LabDocument {
  const abs = resolve(path);
  return parseLab(abs, readFileText(abs));
}

/** Every problem in one file of any kind, for `labloop validate`. */
export function validateFile(path: string, labOverride?: string): Problem[] {
  const abs = resolve(path);
  try {
    const kind = kindOf(abs, readFileText(abs));
    if (kind === 'lab') loadLabFile(abs);
    else loadCampaignFile(abs, labOverride);
    return [];
  } catch (e) {
    if (e instanceof DocumentInvalidError) return e.problems;
    throw e;
  }
}

function kindOf(path: string, text: string): DocumentKind {
  const { source, value, problems } = parseYaml(displayPath(path), text);
  throwIfAny(problems);
  const kind = (value as { kind?: unknown } | null)?.kind;
  if (typeof kind === 'string' && (DOCUMENT_KINDS as readonly string[]).includes(kind))
    return kind as DocumentKind;
  const found = kind === undefined ? 'nothing' : JSON.stringify(kind);
  throw new DocumentInvalidError([
    problemAt(source, ['kind'], `expected one of "lab", "campaign", got ${found}`),
  ]);
}

/** The lab path a campaign text names, relative to the campaign file. */
function labPathOf(campaignPath: string, text: string): string {
  const { source, value, problems } = parseYaml(displayPath(campaignPath), text);
  throwIfAny(problems);
  const lab = (value as { lab?: unknown } | null)?.lab;
  if (typeof lab !== 'string' || lab === '') {
    throw new DocumentInvalidError([problemAt(source, ['lab'], 'expected the path of a lab file')]);
  }
  const labPath = resolve(dirname(campaignPath), lab);
  if (!existsSync(labPath)) {
    throw new DocumentInvalidError([
      problemAt(source, ['lab'], `lab file not found: ${displayPath(labPath)}`),
    ]);
  }
  return labPath;
}

function parseAs<S extends z.ZodType>(
  path: string,
  text: string,
  schema: S,
  kind: DocumentKind,
): { source: YamlSource; data: z.output<S> } {
  const { source, value, problems } = parseYaml(displayPath(path), text);
  throwIfAny(problems);
  const found = (value as { kind?: unknown } | null)?.kind;
  if (found !== kind) {
    const got = found === undefined ? 'nothing' : JSON.stringify(found);
    throw new DocumentInvalidError([problemAt(source, ['kind'], `expected "${kind}", got ${got}`)]);
  }
  const result = validateWith(source, schema, value);
  throwIfAny(result.problems);
  return { source, data: result.data as z.output<S> };
}

function findingsToProblems(source: YamlSource, findings: Finding[]): Problem[] {
  return findings.map((f) => problemAt(source, f.path, f.message, f.atKey));
}

function throwIfAny(problems: Problem[]): void {
  if (problems.length > 0) throw new DocumentInvalidError(problems);
}
