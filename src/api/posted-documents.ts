/**
 * Campaign, lab and protocol files posted to the API. A posted campaign's `lab:` is resolved relative to the path
 * the caller says the campaign has on the daemon's disk (else the daemon's working directory), unless the lab text
 * is posted alongside. Problems come back located in the posted text, as `labloop validate` reports them.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { DocumentInvalidError, type Problem } from '../common/lab-error.js';
import { parseYaml, problemAt } from '../common/yaml-source.js';
import {
  parseCampaign,
  parseLab,
  parseProtocolFile,
  readFileText,
  type CampaignDocument,
  type DocumentKind,
  type LabDocument,
} from '../protocol/document.loader.js';

export interface PostedCampaign {
  /** The campaign YAML. */
  text: string;
  /** Where the campaign lives on the daemon's disk: names it in messages, anchors a relative `lab:`. */
  path?: string;
  /** The lab YAML, when the lab file is not on the daemon's disk. */
  lab?: string;
  labPath?: string;
}

const POSTED_CAMPAIGN = 'posted-campaign.yaml';
/** The kinds a client may post for validation (a space file has no kind). */
const POSTABLE_KINDS = ['lab', 'protocol', 'campaign'] as const;
const POSTED_LAB = 'posted-lab.yaml';

export function parsePostedCampaign(p: PostedCampaign, cwd = process.cwd()): CampaignDocument {
  const path = p.path ? resolve(cwd, p.path) : resolve(cwd, POSTED_CAMPAIGN);
  const lab =
    p.lab !== undefined
      ? parseLab(p.labPath ? resolve(cwd, p.labPath) : resolve(cwd, POSTED_LAB), p.lab)
      : labFromDisk(path, p.text);
  return parseCampaign(path, p.text, lab);
}

function labFromDisk(campaignPath: string, text: string): LabDocument {
  const { source, value, problems } = parseYaml(campaignPath, text);
  if (problems.length > 0) throw new DocumentInvalidError(problems);
  const lab = (value as { lab?: unknown } | null)?.lab;
  if (typeof lab !== 'string' || lab === '')
    throw new DocumentInvalidError([problemAt(source, ['lab'], 'expected the path of a lab file')]);
  const labPath = isAbsolute(lab) ? lab : resolve(dirname(campaignPath), lab);
  if (!existsSync(labPath))
    throw new DocumentInvalidError([
      problemAt(
        source,
        ['lab'],
        `lab file not found on the daemon at ${labPath}; post its text as "lab" instead`,
      ),
    ]);
  return parseLab(labPath, readFileText(labPath));
}

export interface ValidationResult {
  ok: boolean;
  kind: DocumentKind | null;
  name: string | null;
  problems: Problem[];
}

/** Validates a posted lab, protocol or campaign; problems are values here, not errors. */
export function validatePosted(p: PostedCampaign, cwd = process.cwd()): ValidationResult {
  const path = p.path ? resolve(cwd, p.path) : resolve(cwd, POSTED_CAMPAIGN);
  const { source, value, problems } = parseYaml(path, p.text);
  if (problems.length > 0) return { ok: false, kind: null, name: null, problems };
  const kind = (value as { kind?: unknown } | null)?.kind;
  const name = (value as { name?: unknown } | null)?.name;
  if (typeof kind !== 'string' || !(POSTABLE_KINDS as readonly string[]).includes(kind))
    return {
      ok: false,
      kind: null,
      name: null,
      problems: [
        problemAt(
          source,
          ['kind'],
          `expected one of ${POSTABLE_KINDS.map((k) => `"${k}"`).join(', ')}, got ${kind === undefined ? 'nothing' : JSON.stringify(kind)}`,
        ),
      ],
    };
  try {
    if (kind === 'lab') parseLab(path, p.text);
    else if (kind === 'protocol') parseProtocolFile(path, p.text);
    else parsePostedCampaign(p, cwd);
    return {
      ok: true,
      kind: kind as DocumentKind,
      name: typeof name === 'string' ? name : null,
      problems: [],
    };
  } catch (e) {
    if (e instanceof DocumentInvalidError)
      return {
        ok: false,
        kind: kind as DocumentKind,
        name: typeof name === 'string' ? name : null,
        problems: e.problems,
      };
    throw e;
  }
}
