/** The port alerts go out through, and its HTTP implementation (a POST with a JSON body). */
export interface DeliveryOutcome {
  ok: boolean;
  /** Worth another try (network error, timeout, 408, 429, 5xx); a 4xx otherwise will not get better. */
  retry: boolean;
  error?: string;
}

export interface AlertTransport {
  post(
    url: string,
    body: unknown,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<DeliveryOutcome>;
}

export class FetchWebhookTransport implements AlertTransport {
  async post(
    url: string,
    body: unknown,
    headers: Record<string, string>,
    signal: AbortSignal,
  ): Promise<DeliveryOutcome> {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'labloop-alerts', ...headers },
        body: JSON.stringify(body),
        signal,
        redirect: 'error',
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { ok: true, retry: false };
      const retry = res.status === 408 || res.status === 429 || res.status >= 500;
      return { ok: false, retry, error: `HTTP ${res.status}` };
    } catch (e) {
      // fetch fails with a TypeError whose cause says why (ECONNREFUSED, a timeout…).
      const err = e as { message?: unknown; cause?: { message?: unknown; code?: unknown } } | null;
      const why = [err?.cause?.code, err?.cause?.message].find((x): x is string => typeof x === 'string');
      const what = typeof err?.message === 'string' ? err.message : 'request failed';
      return { ok: false, retry: true, error: `${what}${why ? ` (${why})` : ''}` };
    }
  }
}
