/**
 * A campaign as an RO-Crate 1.1 archive (zip) for research data platforms: the campaign and lab files exactly as
 * run, the data (CSV, JSON, the event log), a provenance record, the report, and ro-crate-metadata.json describing
 * each file (size, SHA-256) and the run itself as a CreateAction by labloop.
 */
import { createHash } from 'node:crypto';
import { basename } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import type { CampaignDataset } from './campaign-dataset.js';
import { toCsv, toJsonExport } from './table.export.js';

export const RO_CRATE_CONTEXT = 'https://w3id.org/ro/crate/1.1/context';
export const RO_CRATE_SPEC = 'https://w3id.org/ro/crate/1.1';
/** schema.org has no checksum term; the Workflow Run RO-Crate vocabulary's sha256 is the one crates use. */
const SHA256_TERM = 'https://w3id.org/ro/terms/workflow-run#sha256';

interface CrateFile {
  path: string;
  name: string;
  description: string;
  encodingFormat: string;
  bytes: Uint8Array;
}

const STATUS_ACTION: Record<string, string> = {
  completed: 'http://schema.org/CompletedActionStatus',
  aborted: 'http://schema.org/FailedActionStatus',
};

export function roCrateFiles(d: CampaignDataset, reportHtml?: string): Record<string, Uint8Array> {
  const enc = new TextEncoder();
  const files: CrateFile[] = [
    {
      path: `campaign/${basename(d.campaign.specFile)}`,
      name: `Campaign ${d.campaign.name}`,
      description:
        'The campaign file exactly as it was run: protocol, search space, objectives, strategy, budget.',
      encodingFormat: 'application/yaml',
      bytes: enc.encode(d.doc.text),
    },
    {
      path: `lab/${basename(d.campaign.labFile)}`,
      name: `Lab ${d.doc.lab.spec.name}`,
      description: 'The lab file: instruments, their drivers, actions and hard limits.',
      encodingFormat: 'application/yaml',
      bytes: enc.encode(d.doc.lab.text),
    },
    {
      path: 'data/experiments.csv',
      name: 'Experiments',
      description: 'One row per experiment: parameters, objective values, status, times.',
      encodingFormat: 'text/csv',
      bytes: enc.encode(toCsv(d)),
    },
    {
      path: 'data/campaign.json',
      name: 'Campaign data',
      description:
        'Every experiment with its parameters, objective values and the raw results of each command.',
      encodingFormat: 'application/json',
      bytes: enc.encode(`${JSON.stringify(toJsonExport(d), null, 2)}\n`),
    },
    {
      path: 'data/events.jsonl',
      name: 'Event log',
      description: "The campaign's journaled events, one JSON object per line, oldest first.",
      encodingFormat: 'application/x-ndjson',
      bytes: enc.encode(d.events.map((e) => JSON.stringify(e)).join('\n') + (d.events.length ? '\n' : '')),
    },
    {
      path: 'provenance.json',
      name: 'Provenance',
      description: 'Software versions, file hashes, seed and strategy settings of this run.',
      encodingFormat: 'application/json',
      bytes: enc.encode(`${JSON.stringify(d.provenance, null, 2)}\n`),
    },
  ];
  if (reportHtml !== undefined)
    files.push({
      path: 'report.html',
      name: 'Campaign report',
      description: 'Methods and results, with convergence and parameter-effect plots (self-contained).',
      encodingFormat: 'text/html',
      bytes: enc.encode(reportHtml),
    });
  const out: Record<string, Uint8Array> = {};
  for (const f of files) out[f.path] = f.bytes;
  out['ro-crate-metadata.json'] = enc.encode(`${JSON.stringify(roCrateMetadata(d, files), null, 2)}\n`);
  return out;
}

export function roCrateMetadata(d: CampaignDataset, files: readonly CrateFile[]): Record<string, unknown> {
  const runId = `#run-${d.campaign.id}`;
  const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  const inputs = files.filter((f) => f.path.startsWith('campaign/') || f.path.startsWith('lab/'));
  const outputs = files.filter((f) => !inputs.includes(f));
  const spec = d.doc.spec;
  return {
    '@context': [RO_CRATE_CONTEXT, { sha256: SHA256_TERM }],
    '@graph': [
      {
        '@id': 'ro-crate-metadata.json',
        '@type': 'CreativeWork',
        conformsTo: { '@id': RO_CRATE_SPEC },
        about: { '@id': './' },
      },
      {
        '@id': './',
        '@type': 'Dataset',
        name: `labloop campaign ${d.campaign.name}`,
        description:
          spec.description ??
          `A self-driving-lab campaign run by labloop: ${Object.keys(spec.parameters).join(', ')} searched for ${Object.entries(
            spec.objectives,
          )
            .map(([k, o]) => `${o.goal} ${k}`)
            .join(', ')}.`,
        datePublished: d.provenance.generatedAt,
        hasPart: files.map((f) => ({ '@id': f.path })),
        mentions: { '@id': runId },
      },
      ...files.map((f) => ({
        '@id': f.path,
        '@type': 'File',
        name: f.name,
        description: f.description,
        encodingFormat: f.encodingFormat,
        contentSize: String(f.bytes.byteLength),
        sha256: sha(f.bytes),
      })),
      {
        '@id': '#labloop',
        '@type': 'SoftwareApplication',
        name: 'labloop',
        version: d.provenance.software.version,
        description: 'Control daemon for self-driving labs',
      },
      {
        '@id': runId,
        '@type': 'CreateAction',
        name: `Run of campaign ${d.campaign.name} (${d.summary.experiments.completed} experiments completed)`,
        instrument: { '@id': '#labloop' },
        object: inputs.map((f) => ({ '@id': f.path })),
        result: outputs.map((f) => ({ '@id': f.path })),
        startTime: new Date(d.campaign.createdAt).toISOString(),
        ...(d.campaign.status === 'completed' || d.campaign.status === 'aborted'
          ? { endTime: new Date(d.campaign.updatedAt).toISOString() }
          : {}),
        actionStatus: STATUS_ACTION[d.campaign.status] ?? 'http://schema.org/ActiveActionStatus',
      },
    ],
  };
}

/** The archive, deflated; every entry is dated by the campaign's last change. */
export function roCrateZip(d: CampaignDataset, reportHtml?: string): Uint8Array {
  const mtime = new Date(Math.max(d.campaign.updatedAt, Date.UTC(1980, 0, 2)));
  const entries: Zippable = {};
  for (const [path, bytes] of Object.entries(roCrateFiles(d, reportHtml))) entries[path] = [bytes, { mtime }];
  return zipSync(entries, { level: 6 });
}
