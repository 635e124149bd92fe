/**
 * Sends alerts to the configured webhooks so nobody has to watch the screen at night. Deliveries run in the
 * background with retries and exponential backoff (on the injected clock); a hook that is down, slow or wrong
 * never delays the loop or throws into it — it is logged, counted and given up after the configured attempts.
 */
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { CLOCK, sleep, type Clock } from '../common/clock.js';
import { parseDuration } from '../common/durations.js';
import { describeError } from '../common/lab-error.js';
import { ALERT_KINDS, APP_CONFIG, type AppConfig } from '../config/config.schema.js';
import { EventBus } from '../events/event-bus.service.js';
import { RecordsRepository } from '../store/records.repository.js';
import { AlertRules, type Alert } from './alert-rules.js';
import { FetchWebhookTransport, type AlertTransport } from './webhook.transport.js';

/** Injection token for the transport (tests may pass their own; the default posts over HTTP). */
export const ALERT_TRANSPORT = Symbol('labloop.alertTransport');
/** Deliveries in flight at once; past this, new alerts are dropped with an error in the log. */
const MAX_IN_FLIGHT = 100;

export interface AlertBody {
  alert: Alert['kind'];
  severity: Alert['severity'];
  summary: string;
  /** The summary again, under the name chat webhooks (Slack, Mattermost, Teams connectors) display. */
  text: string;
  time: string;
  campaign: { id: string; name: string } | null;
  instrument: string | null;
  details: Record<string, unknown>;
  daemon: { host: string; dashboard: string };
}

@Injectable()
export class AlertService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('alerts');
  private readonly stop = new AbortController();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly rules: AlertRules;
  private off?: () => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(ALERT_TRANSPORT) private readonly transport: AlertTransport,
    private readonly bus: EventBus,
    private readonly records: RecordsRepository,
  ) {
    this.rules = new AlertRules({
      burstCount: config.alerts.failedBurst.count,
      burstWindowMs: parseDuration(config.alerts.failedBurst.window) ?? 600_000,
      campaignName: (id) => this.records.campaign(id)?.name ?? id,
    });
  }

  onModuleInit(): void {
    this.off = this.bus.onAny((e) => {
      const alert = this.rules.consider(e);
      if (alert) this.raise(alert);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.off?.();
    this.stop.abort(new Error('shutting down'));
    await Promise.allSettled([...this.inFlight]);
  }

  /** Resolves when every delivery started so far has ended (for tests and shutdown). */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  raise(alert: Alert): void {
    const log = alert.severity === 'info' ? 'log' : 'warn';
    this.logger[log](`${alert.kind}: ${alert.summary}`);
    if (!this.config.alerts.enabled) return;
    const body = this.body(alert);
    for (const hook of this.config.alerts.webhooks) {
      if (!(hook.events ?? ALERT_KINDS).includes(alert.kind)) continue;
      if (this.inFlight.size >= MAX_IN_FLIGHT) {
        this.logger.error(
          `${MAX_IN_FLIGHT} alert deliveries pending; dropped ${alert.kind} for ${redact(hook.url)}`,
        );
        continue;
      }
      const p = this.deliver(hook.url, hook.headers, body)
        .catch((e: unknown) => this.logger.error(`alert delivery crashed: ${describeError(e)}`))
        .finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }
  }

  private async deliver(url: string, headers: Record<string, string>, body: AlertBody): Promise<void> {
    const a = this.config.alerts;
    const timeoutMs = parseDuration(a.timeout) ?? 10_000;
    let wait = parseDuration(a.backoff) ?? 2_000;
    const maxWait = parseDuration(a.maxBackoff) ?? 300_000;
    let last = '';
    let tries = 0;
    while (tries < a.attempts && !this.stop.signal.aborted) {
      tries++;
      const signal = AbortSignal.any([this.stop.signal, AbortSignal.timeout(timeoutMs)]);
      const outcome = await this.transport.post(url, body, headers, signal);
      if (outcome.ok) {
        this.bus.emit('alert.delivered', { alert: body.alert, hook: redact(url), ok: true, attempts: tries });
        return;
      }
      last = outcome.error ?? 'failed';
      if (!outcome.retry || tries === a.attempts) break;
      this.logger.warn(
        `alert ${body.alert} to ${redact(url)}: ${last}; retry ${tries + 1}/${a.attempts} in ${wait} ms`,
      );
      try {
        await sleep(this.clock, wait, this.stop.signal);
      } catch {
        break;
      }
      wait = Math.min(wait * 2, maxWait);
    }
    this.logger.error(`alert ${body.alert} to ${redact(url)} not delivered after ${tries} tries: ${last}`);
    this.bus.emit('alert.delivered', {
      alert: body.alert,
      hook: redact(url),
      ok: false,
      attempts: tries,
      error: last,
    });
  }

  private body(alert: Alert): AlertBody {
    const campaign = alert.campaignId ? this.records.campaign(alert.campaignId) : undefined;
    const host =
      this.config.http.host === '0.0.0.0' || this.config.http.host === '::'
        ? hostname()
        : this.config.http.host;
    const base = `http://${host}:${this.config.http.port}/`;
    return {
      alert: alert.kind,
      severity: alert.severity,
      summary: alert.summary,
      text: `[labloop ${alert.severity}] ${alert.summary}`,
      time: new Date(alert.ts).toISOString(),
      campaign: campaign
        ? { id: campaign.id, name: campaign.name }
        : alert.campaignId
          ? { id: alert.campaignId, name: alert.campaignId }
          : null,
      instrument: alert.instrument ?? null,
      details: alert.details,
      daemon: { host: hostname(), dashboard: campaign ? `${base}#/campaigns/${campaign.id}` : base },
    };
  }
}

/** Webhook URLs often carry a secret in the path or query: log only scheme, host and port. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return 'invalid URL';
  }
}

export const defaultAlertTransport = {
  provide: ALERT_TRANSPORT,
  useFactory: () => new FetchWebhookTransport(),
};
