/**
 * `labloop confirm <experiment> <step>`: an operator's answer to a manual step, sent to the running daemon
 * (`POST /api/experiments/:id/steps/:step/confirm`). `--failed` says it could not be done (the step's failure policy
 * applies). The daemon's address comes from the settings (`http.host`, `http.port`) or `--url`.
 */
import { loadConfig } from '../config/config.loader.js';
import { EXIT } from './cli-errors.js';

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
  err: NodeJS.WritableStream = process.stderr,
): Promise<number> {
  const base = o.url ?? daemonUrl(o.config);
  const url = `${base.replace(/\/$/, '')}/api/experiments/${encodeURIComponent(experiment)}/steps/${encodeURIComponent(step)}/confirm`;
  const body = { ok: o.failed !== true, ...(o.by ? { by: o.by } : {}), ...(o.note ? { note: o.note } : {}) };
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (e) {
    err.write(
      `labloop: cannot reach the daemon at ${base} (${e instanceof Error ? e.message : String(e)}); is it running? (--url)\n`,
    );
    return EXIT.failed;
  }
  const answer = (await res.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!res.ok) {
    err.write(`labloop: ${answer.error?.message ?? `HTTP ${res.status}`}\n`);
    return EXIT.badInput;
  }
  out.write(`step ${step} of experiment ${experiment}: ${o.failed ? 'reported as not done' : 'confirmed'}\n`);
  return EXIT.ok;
}

function daemonUrl(configPath: string | undefined): string {
  const c = loadConfig({ configPath });
  const host = c.http.host === '0.0.0.0' ? '127.0.0.1' : c.http.host;
  return `http://${host}:${c.http.port}`;
}
