/**
 * How CLI commands reach a running daemon: its URL from `--url`, else LABLOOP_URL, else the settings file's
 * http.host/port; the token from LABLOOP_TOKEN, sent when set. Errors become LabErrors with the daemon's message.
 */
import { cliEnvironment, loadConfig } from '../config/config.loader.js';
import { LabError } from '../common/lab-error.js';

export interface DaemonOptions {
  url?: string;
  config?: string;
}

export interface DaemonResponse {
  status: number;
  body: unknown;
}

export function daemonUrl(o: DaemonOptions, env = cliEnvironment()): string {
  const raw = o.url ?? env.url;
  if (raw) return raw.replace(/\/+$/, '');
  const config = loadConfig({ configPath: o.config });
  const host = config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
}

/** POSTs JSON to the daemon as the CLI; any HTTP status comes back (the caller reads the outcome in the body). */
export async function postToDaemon(o: DaemonOptions, path: string, body: unknown): Promise<DaemonResponse> {
  const base = daemonUrl(o);
  const env = cliEnvironment();
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-labloop-source': 'cli',
        ...(env.token ? { authorization: `Bearer ${env.token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  } catch (e) {
    const cause =
      (e as { cause?: { code?: string } }).cause?.code ?? (e instanceof Error ? e.message : String(e));
    throw new LabError(
      'INSTRUMENT_OFFLINE',
      `cannot reach the labloop daemon at ${base} (${cause}); is it running? (--url, LABLOOP_URL)`,
    );
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}

/** The `{ error: { code, message } }` body of a refused request, as a one-line message. */
export function errorMessage(body: unknown): string | undefined {
  const b = body as { status?: unknown; error?: { code?: unknown; message?: unknown } } | null;
  // An outcome (with a status) may carry an error too: that is the instrument's answer, not a refused request.
  const e = typeof b?.status === 'string' ? undefined : b?.error;
  if (!e) return undefined;
  return `${String(e.code)}: ${String(e.message)}`;
}
