/**
 * `labloop plan <campaign.yaml>`: a dry run. Checks the campaign, compiles one experiment with example parameters
 * (the middle of each range, or `--set name=value`), prints its step timeline — instrument, action, resolved
 * parameters, expected duration — and an estimate of the whole campaign. Connects to nothing.
 */
import { formatDuration } from '../common/durations.js';
import { LabError } from '../common/lab-error.js';
import { exampleParameters, estimateCampaign } from '../protocol/campaign-estimate.js';
import { inputValues } from '../protocol/campaign-inputs.js';
import { displayPath, loadCampaignFile } from '../protocol/document.loader.js';
import { timeline } from '../protocol/plan-timeline.js';
import type { ParamValue } from '../optimizers/strategy.port.js';
import { EXIT } from './cli-errors.js';

export interface PlanOptions {
  lab?: string;
  set?: string[];
  json?: boolean;
}

export function planCommand(
  file: string,
  o: PlanOptions,
  out: NodeJS.WritableStream = process.stdout,
): number {
  const doc = loadCampaignFile(file, o.lab);
  const spec = doc.spec;
  const example = exampleParameters(spec, parseSets(o.set ?? [], Object.keys(spec.parameters)));
  const inputs = inputValues(
    { inputs: doc.plan.inputs, parameters: spec.parameters, fixed: spec.fixed },
    example.params,
  );
  const capacity = (id: string): number => doc.lab.spec.instruments[id]?.capacity ?? 1;
  const t = timeline(doc.plan, inputs, capacity);
  const estimate = estimateCampaign(spec, t, capacity);
  if (o.json) {
    out.write(
      `${JSON.stringify({ campaign: spec.name, parameters: example.params, timeline: t, estimate }, null, 2)}\n`,
    );
    return EXIT.ok;
  }
  const lines: string[] = [];
  lines.push(
    `campaign ${spec.name} · lab ${doc.lab.spec.name} · protocol ${doc.protocolFile ? displayPath(doc.protocolFile.path) : 'inline'}`,
  );
  lines.push(
    `example parameters: ${Object.entries(example.params)
      .map(([k, v]) => `${k} = ${show(v)}${unitOf(spec.parameters[k])}`)
      .join(', ')}`,
  );
  if (example.note) lines.push(`  (${example.note})`);
  lines.push('');
  const rows = t.rows.map((r) => [
    formatDuration(r.start),
    r.duration === undefined ? '?' : formatDuration(r.duration),
    r.key,
    r.what,
    [...Object.entries(r.params ?? {}).map(([k, v]) => `${k}=${v}`), ...(r.note ? [`(${r.note})`] : [])].join(
      ' ',
    ),
  ]);
  lines.push(...table([['start', 'takes', 'step', 'what', 'parameters'], ...rows]));
  lines.push('');
  lines.push(...estimate.lines);
  out.write(`${lines.join('\n')}\n`);
  return EXIT.ok;
}

function parseSets(sets: string[], names: string[]): Record<string, ParamValue> {
  const out: Record<string, ParamValue> = {};
  for (const s of sets) {
    const i = s.indexOf('=');
    const name = s.slice(0, i);
    if (i <= 0 || !names.includes(name))
      throw new LabError(
        'DOCUMENT_INVALID',
        `--set ${s}: expected <parameter>=<value> with one of ${names.join(', ')}`,
      );
    const raw = s.slice(i + 1);
    out[name] = raw !== '' && Number.isFinite(Number(raw)) ? Number(raw) : raw;
  }
  return out;
}

function show(v: ParamValue): string {
  return typeof v === 'number' ? String(Number(v.toPrecision(4))) : v;
}

function unitOf(p: { type: string; unit?: string } | undefined): string {
  return p && p.type !== 'categorical' && p.unit ? ` ${p.unit}` : '';
}

function table(rows: string[][]): string[] {
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  return rows.map((r) =>
    r
      .map((cell, c) => (c < 2 ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0)))
      .join('  ')
      .trimEnd(),
  );
}
