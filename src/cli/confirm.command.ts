/**
 * `labloop confirm <experiment> <step>`: an operator's answer to a manual step, sent to the running daemon
 * (`POST /api/experiments/:id/steps/:step/confirm`, with the token from LABLOOP_TOKEN). `--failed` says it could not
 * be done (the step's failure policy applies). The daemon's address: `--url`, LABLOOP_URL, or the settings.
 */
import { EXIT } from './cli-errors.js';
import { DaemonClient } from './daemon-client.js';

export interface ConfirmOptions {
  url?: string;
  config?: string;
  failed?: boolean;
  note?: string;
  by?: string;
}

export async function confirmCommand(
  experiment: string,
  step: string,
  o: ConfirmOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const client = DaemonClient.from(o);
  const body = { ok: o.failed !== true, ...(o.by ? { by: o.by } : {}), ...(o.note ? { note: o.note } : {}) };
  await client.request(
    `/api/experiments/${encodeURIComponent(experiment)}/steps/${encodeURIComponent(step)}/confirm`,
    {
      method: 'POST',
      body,
    },
  );
  out.write(`step ${step} of experiment ${experiment}: ${o.failed ? 'reported as not done' : 'confirmed'}\n`);
  return EXIT.ok;
}
