/**
 * Reads lab, protocol, campaign and space files — told apart by `kind` (a space file has none) — and reports every
 * problem of a file at once, located (`file:line:col: path: …`). The entry points of `src/protocol`: load a document
 * to run it (throws DocumentInvalidError with every problem), or validate one (returns the problems). Nothing here
 * connects to anything.
 */
import { resolve } from 'node:path';
import { DocumentInvalidError, type Problem } from '../common/lab-error.js';
import { analyzeCampaign, analyzeLab, analyzeProtocol, analyzeSpace } from './document-analysis.js';
import {
  dedupe,
  displayPath,
  fileReader,
  kindOf,
  read,
  readFileText,
  type Analysis,
  type CampaignDocument,
  type DocumentReader,
  type LabDocument,
  type ProtocolDocument,
  type SpaceDocument,
} from './document-source.js';
import type { ProtocolFileSpec } from './protocol.schema.js';

export { analyzeCampaign, analyzeLab, analyzeProtocol, analyzeSpace } from './document-analysis.js';
export {
  displayPath,
  fileReader,
  readFileText,
  type CampaignDocument,
  type DocumentKind,
  type DocumentReader,
  type LabDocument,
  type ProtocolDocument,
  type SpaceDocument,
} from './document-source.js';

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
