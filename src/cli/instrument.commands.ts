/**
 * `labloop do <instrument> <action> key=value…` — one manual action through the running daemon (limit-checked,
 * locked, journaled there) — and `labloop estop [instrument…]` — the contract's abort at once to the instruments
 * named, or to every instrument. Exit codes: 0 done / delivered, 1 refused or bad input, 3 failed, timed out or
 * not delivered everywhere.
 */
import { LabError, type LabErrorCode } from '../common/lab-error.js';
import { EXIT } from './cli-errors.js';
import { DaemonClient, type ClientOptions } from './daemon-client.js';

export interface DoOptions extends ClientOptions {
  timeout?: string;
  reason?: string;
  json?: boolean;
}

export interface EstopOptions extends ClientOptions {
  reason?: string;
  json?: boolean;
}

const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** `key=value` → params: numbers as numbers, true/false as booleans, anything else as text (the guard decides). */
export function parseAssignments(pairs: readonly string[]): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new LabError('DOCUMENT_INVALID', `expected key=value, got "${pair}"`);
    const key = pair.slice(0, at);
    const text = pair.slice(at + 1);
    if (key in params) throw new LabError('DOCUMENT_INVALID', `${key} is given twice`);
    params[key] = NUMBER.test(text) ? Number(text) : text === 'true' ? true : text === 'false' ? false : text;
  }
  return params;
}

export async function doCommand(
  instrument: string,
  action: string,
  pairs: string[],
  o: DoOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const params = parseAssignments(pairs);
  const path = `/api/instruments/${encodeURIComponent(instrument)}/actions/${encodeURIComponent(action)}`;
  const body = await post(o, path, {
    params,
    ...(o.timeout ? { timeout: o.timeout } : {}),
    ...(o.reason ? { reason: o.reason } : {}),
  });
  const r = body as {
    status: string;
    commandId: string;
    result?: Record<string, unknown>;
    error?: { code: string; message: string };
  };
  if (o.json) out.write(`${JSON.stringify(r)}\n`);
  else if (r.status === 'done') out.write(`done ${instrument}.${action}${formatResult(r.result ?? {})}\n`);
  else out.write(`${r.status} ${instrument}.${action}: ${r.error?.code}: ${r.error?.message}\n`);
  if (r.status === 'done') return EXIT.ok;
  return r.status === 'rejected' ? EXIT.badInput : EXIT.failed;
}

export async function estopCommand(
  instruments: string[],
  o: EstopOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const body = await post(o, '/api/instruments/abort', {
    instruments,
    ...(o.reason ? { reason: o.reason } : {}),
  });
  const r = body as {
    instruments: string[];
    delivered: string[];
    failed: { instrument: string; reason: string }[];
  };
  if (o.json) out.write(`${JSON.stringify(r)}\n`);
  else {
    if (r.instruments.length === 0) out.write('no instrument is connected\n');
    for (const id of r.delivered) out.write(`abort sent to ${id}\n`);
    for (const f of r.failed) out.write(`abort NOT delivered to ${f.instrument}: ${f.reason}\n`);
  }
  return r.failed.length === 0 ? EXIT.ok : EXIT.failed;
}

function formatResult(result: Record<string, unknown>): string {
  const parts = Object.entries(result).map(
    ([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`,
  );
  return parts.length > 0 ? `: ${parts.join(' ')}` : '';
}

/**
 * POSTs as the CLI (token from LABLOOP_TOKEN). A manual action's outcome comes back whatever its HTTP status (a
 * rejected or failed command is an answer, not an error); a refused request (no such instrument, bad body, no
 * token) becomes a LabError with the daemon's code and message.
 */
async function post(o: ClientOptions, path: string, body: unknown): Promise<unknown> {
  const client = DaemonClient.from(o);
  let res: Response;
  try {
    res = await fetch(`${client.baseUrl}${path}`, {
      method: 'POST',
      headers: client.headers({ 'content-type': 'application/json', 'x-labloop-source': 'cli' }),
      body: JSON.stringify(body),
    });
  } catch (e) {
    const cause = e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e);
    throw new LabError(
      'DAEMON_UNREACHABLE',
      `no labloop daemon answers at ${client.baseUrl} (${cause}); start one with \`labloop start\` or set LABLOOP_URL`,
    );
  }
  const parsed = (await res.json().catch(() => null)) as {
    status?: unknown;
    error?: { code?: string; message?: string; field?: string };
  } | null;
  if (typeof parsed?.status === 'string' || (res.ok && parsed)) return parsed;
  const code = (parsed?.error?.code ?? 'CONFLICT') as LabErrorCode;
  throw new LabError(code, parsed?.error?.message ?? `HTTP ${res.status} from ${path}`, parsed?.error?.field);
}
