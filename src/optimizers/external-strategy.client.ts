/**
 * A strategy served over HTTP — the stateless API of DESIGN.md, so a Python BoTorch, Ax or BayBE strategy can drive
 * a campaign while labloop keeps the state, the resume and the limits:
 *   POST {url}/ask  {space, objectives, constraints, seed, count, history, pending} → {suggestions: [{params}]}
 *   POST {url}/tell {observations}   a notification the service may ignore
 * Every request has a timeout; network errors, timeouts and 5xx answers are retried with backoff, 4xx are not.
 * labloop numbers the suggestions itself (s1, s2, … by the port's rule), so the service never has to.
 */
import { Logger } from '@nestjs/common';
import { z } from 'zod';
import { sleep, type Clock } from '../common/clock.js';
import { describeError, LabError } from '../common/lab-error.js';
import type { Observation, Strategy, StrategyInit, Suggestion } from './strategy.port.js';
import { SuggestionLedger, suggestionId } from './suggestion-ledger.js';

export interface ExternalOptions {
  url: string;
  timeoutMs: number;
  retries: number;
}

const askReply = z.object({
  suggestions: z.array(z.object({ params: z.record(z.string(), z.union([z.number(), z.string()])) })),
});

const BACKOFF_MS = 500;

class HttpFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export class ExternalStrategy implements Strategy {
  private readonly ledger = new SuggestionLedger();
  private readonly logger = new Logger('strategy:external');

  constructor(
    private readonly init: StrategyInit,
    private readonly options: ExternalOptions,
    private readonly clock: Clock,
  ) {}

  async ask(count: number, pending: Suggestion[]): Promise<Suggestion[]> {
    const k0 = this.ledger.nextIndex(pending);
    const body = {
      space: this.init.space,
      objectives: this.init.objectives,
      constraints: this.init.constraints.map((c) =>
        c.linear ? { expr: c.expr, linear: c.linear } : { expr: c.expr },
      ),
      seed: this.init.seed,
      options: this.init.options,
      count,
      history: this.ledger.observations(),
      pending,
    };
    const reply = await this.post('/ask', body, this.options.retries);
    const parsed = askReply.safeParse(reply);
    if (!parsed.success)
      throw new LabError(
        'STRATEGY_FAILED',
        `external strategy ${this.options.url}: /ask answered ${JSON.stringify(reply).slice(0, 200)}; expected {"suggestions":[{"params":{…}}]}`,
      );
    return parsed.data.suggestions.map((s, i) => ({ id: suggestionId(k0 + i), params: s.params }));
  }

  async tell(observations: Observation[]): Promise<void> {
    this.ledger.record(observations);
    try {
      await this.post('/tell', { observations }, 0);
    } catch (e) {
      // A notification: the next /ask carries the whole history anyway.
      this.logger.warn(`/tell to ${this.options.url} failed (ignored): ${describeError(e)}`);
    }
  }

  private async post(path: string, body: unknown, retries: number): Promise<unknown> {
    const url = new URL(
      path.slice(1),
      this.options.url.endsWith('/') ? this.options.url : `${this.options.url}/`,
    );
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once(url, body);
      } catch (e) {
        const retryable = !(e instanceof HttpFailure) || e.retryable;
        if (!retryable || attempt >= retries)
          throw new LabError(
            'STRATEGY_FAILED',
            `external strategy ${url.href}: ${describeError(e)}${attempt > 0 ? ` (after ${attempt + 1} attempts)` : ''}`,
          );
        await sleep(this.clock, BACKOFF_MS * 2 ** attempt);
      }
    }
  }

  private async once(url: URL, body: unknown): Promise<unknown> {
    const controller = new AbortController();
    const timer = this.clock.setTimer(this.options.timeoutMs, () =>
      controller.abort(new Error(`no answer within ${this.options.timeoutMs / 1000} s`)),
    );
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      const text = await res.text();
      if (!res.ok) throw new HttpFailure(`HTTP ${res.status}: ${text.slice(0, 300)}`, res.status >= 500);
      if (text.trim() === '') return {};
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new HttpFailure(`answered with something that is not JSON: ${text.slice(0, 100)}`, false);
      }
    } catch (e) {
      if (controller.signal.aborted) throw new Error(describeError(controller.signal.reason));
      throw e;
    } finally {
      timer.cancel();
    }
  }
}
