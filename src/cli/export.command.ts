/**
 * `labloop export <campaign> --format csv|json|ro-crate` and `labloop report <campaign>`: fetch from the daemon and
 * write files (a report is HTML, Markdown and its figures as SVG).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LabError } from '../common/lab-error.js';
import { DaemonClient, type ClientOptions } from './daemon-client.js';

const EXT = { csv: 'csv', json: 'json', 'ro-crate': 'crate.zip' } as const;
export type ExportFormat = keyof typeof EXT;

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-');
}

export async function exportCommand(
  ref: string,
  o: ClientOptions & { format: string; out?: string },
  stdout = process.stdout,
  stderr = process.stderr,
): Promise<number> {
  if (!(o.format in EXT))
    throw new LabError(
      'REQUEST_INVALID',
      `--format: expected csv, json or ro-crate, got "${o.format}"`,
      'format',
    );
  const format = o.format as ExportFormat;
  const client = DaemonClient.from(o);
  const c = await client.campaign(ref);
  const res = await client.request(`/api/campaigns/${c.id}/export?format=${format}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  if (o.out === '-') {
    stdout.write(bytes);
    return 0;
  }
  const file = resolve(o.out ?? `${safe(c.name)}.${EXT[format]}`);
  writeFileSync(file, bytes);
  stderr.write(`wrote ${file} (${bytes.byteLength} bytes)\n`);
  return 0;
}

export async function reportCommand(
  ref: string,
  o: ClientOptions & { out?: string },
  stderr = process.stderr,
): Promise<number> {
  const client = DaemonClient.from(o);
  const c = await client.campaign(ref);
  const r = await client.json<{
    name: string;
    html: string;
    markdown: string;
    figures: Record<string, string>;
  }>(`/api/campaigns/${c.id}/report?format=bundle`);
  const dir = resolve(o.out ?? `${safe(c.name)}-report`);
  mkdirSync(join(dir, 'figures'), { recursive: true });
  writeFileSync(join(dir, 'report.html'), r.html);
  writeFileSync(join(dir, 'report.md'), r.markdown);
  for (const [name, svg] of Object.entries(r.figures))
    writeFileSync(join(dir, 'figures', `${safe(name)}.svg`), svg);
  stderr.write(
    `wrote ${join(dir, 'report.html')} (self-contained) and ${join(dir, 'report.md')} with ${Object.keys(r.figures).length} figures\n`,
  );
  return 0;
}
