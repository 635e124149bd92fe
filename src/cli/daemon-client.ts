/**
 * How CLI commands talk to a running daemon: its URL (--url, else LABLOOP_URL, else the configured http host and
 * port) and the token from LABLOOP_TOKEN. Failures become LabErrors with the daemon's own code and message.
 */
import { LabError, type LabErrorCode } from '../common/lab-error.js';
import { cliEnvironment, loadConfig } from '../config/config.loader.js';
import type { CampaignSummary } from '../campaign/campaign.service.js';

export interface ClientOptions {
  url?: string;
  config?: string;
}

export class DaemonClient {
  constructor(
    readonly baseUrl: string,
    private readonly token: string | undefined,
  ) {}

  static from(o: ClientOptions): DaemonClient {
    const env = cliEnvironment();
    let url = o.url ?? env.url;
    if (!url) {
      const config = loadConfig({ configPath: o.config });
      const host =
        config.http.host === '0.0.0.0' || config.http.host === '::' ? '127.0.0.1' : config.http.host;
      url = `http://${host.includes(':') ? `[${host}]` : host}:${config.http.port}`;
    }
    return new DaemonClient(url.replace(/\/+$/, ''), env.token);
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...extra };
  }

  async request(
    path: string,
    init: { method?: string; body?: unknown; signal?: AbortSignal } = {},
  ): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method: init.method ?? 'GET',
        headers: this.headers(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
        signal: init.signal,
      });
    } catch (e) {
      if (init.signal?.aborted) throw e;
      throw new LabError(
        'DAEMON_UNREACHABLE',
        `no labloop daemon answers at ${this.baseUrl} (${e instanceof Error && e.cause instanceof Error ? e.cause.message : String(e)}); start one with \`labloop start\` or set LABLOOP_URL`,
      );
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as {
        error?: { code?: string; message?: string; field?: string };
      } | null;
      const code = (body?.error?.code ?? 'CONFLICT') as LabErrorCode;
      throw new LabError(code, body?.error?.message ?? `HTTP ${res.status} from ${path}`, body?.error?.field);
    }
    return res;
  }

  async json<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    return (await (await this.request(path, init)).json()) as T;
  }

  /** A campaign by id, id prefix or name (the newest of that name). */
  async campaign(ref: string): Promise<CampaignSummary> {
    const list = await this.json<CampaignSummary[]>('/api/campaigns');
    const exact = list.find((c) => c.id === ref);
    if (exact) return exact;
    const named = list.filter((c) => c.name === ref);
    if (named.length > 0) return named[named.length - 1] as CampaignSummary;
    const prefixed = list.filter((c) => c.id.startsWith(ref));
    if (prefixed.length === 1) return prefixed[0] as CampaignSummary;
    throw new LabError(
      'NOT_FOUND',
      prefixed.length > 1
        ? `"${ref}" matches ${prefixed.length} campaigns; give more of the id`
        : `no campaign ${ref} (see \`labloop status\`)`,
      'campaign',
    );
  }
}
