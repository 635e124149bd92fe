/**
 * Prometheus metrics, every name prefixed `labloop_`. Counters and histograms follow the event bus; gauges (campaigns,
 * experiments by status, instrument links) are read from the store and the registry at scrape time, so they are
 * right after a restart too. Durations are lab time (seconds) from the events' timestamps, except the strategy's
 * ask time and the event-loop lag, which measure this process.
 */
import { Injectable, type OnModuleInit, type OnApplicationShutdown } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { EventBus } from '../events/event-bus.service.js';
import type { LabEvent } from '../events/event-map.js';
import { InstrumentRegistry } from '../lab/instrument-registry.service.js';
import { RecordsRepository } from '../store/records.repository.js';

const PREFIX = 'labloop_';
/** Starts remembered for durations; older ones are dropped (a command never finished must not leak memory). */
const MAX_OPEN = 10_000;
const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
const TERMINAL = new Set(['completed', 'failed', 'interrupted']);

class StartTimes {
  private readonly m = new Map<string, number>();
  set(key: string, ts: number): void {
    if (this.m.size >= MAX_OPEN) {
      const oldest = this.m.keys().next().value;
      if (oldest !== undefined) this.m.delete(oldest);
    }
    this.m.set(key, ts);
  }
  take(key: string): number | undefined {
    const v = this.m.get(key);
    this.m.delete(key);
    return v;
  }
  has(key: string): boolean {
    return this.m.has(key);
  }
}

@Injectable()
export class MetricsService implements OnModuleInit, OnApplicationShutdown {
  readonly registry = new Registry();
  private off?: () => void;
  private readonly stepStart = new StartTimes();
  private readonly commandStart = new StartTimes();
  private readonly commandAction = new Map<string, string>();
  private readonly experimentStart = new StartTimes();

  private readonly events = new Counter({
    name: `${PREFIX}events_total`,
    help: 'Events on the bus, by type',
    labelNames: ['type'],
    registers: [this.registry],
  });
  private readonly finished = new Counter({
    name: `${PREFIX}experiments_finished_total`,
    help: 'Experiments that reached a final status since the daemon started',
    labelNames: ['status'],
    registers: [this.registry],
  });
  private readonly experimentSeconds = new Histogram({
    name: `${PREFIX}experiment_duration_seconds`,
    help: 'Lab time from an experiment starting to its final status',
    labelNames: ['status'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly stepSeconds = new Histogram({
    name: `${PREFIX}step_duration_seconds`,
    help: 'Lab time from a step storing its command to the outcome (includes re-sends)',
    labelNames: ['instrument', 'action', 'status'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly commandSeconds = new Histogram({
    name: `${PREFIX}command_duration_seconds`,
    help: 'Lab time from a command first being published to its final reply',
    labelNames: ['instrument', 'action', 'status'],
    buckets: DURATION_BUCKETS,
    registers: [this.registry],
  });
  private readonly resends = new Counter({
    name: `${PREFIX}commands_resent_total`,
    help: 'Commands published again with the same id (after a reconnect or restart)',
    labelNames: ['instrument'],
    registers: [this.registry],
  });
  private readonly askSeconds = new Histogram({
    name: `${PREFIX}strategy_ask_seconds`,
    help: "Wall time of one strategy ask (the optimizer's computation)",
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60],
    registers: [this.registry],
  });
  private readonly alerts = new Counter({
    name: `${PREFIX}alerts_total`,
    help: 'Alert deliveries by alert kind and outcome',
    labelNames: ['alert', 'outcome'],
    registers: [this.registry],
  });

  constructor(
    private readonly bus: EventBus,
    records: RecordsRepository,
    instruments: InstrumentRegistry,
  ) {
    new Gauge({
      name: `${PREFIX}campaigns`,
      help: 'Campaigns by status',
      labelNames: ['status'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const c of records.campaigns()) this.inc({ status: c.status });
      },
    });
    new Gauge({
      name: `${PREFIX}experiments`,
      help: 'Experiments by campaign and status',
      labelNames: ['campaign', 'status'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const c of records.campaigns())
          for (const [status, n] of Object.entries(records.experimentCounts(c.id)))
            this.set({ campaign: c.name, status }, n);
      },
    });
    new Gauge({
      name: `${PREFIX}instrument_link_up`,
      help: 'Whether the transport to the instrument is up (1) or down (0)',
      labelNames: ['instrument'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const i of instruments.list()) this.set({ instrument: i.id }, i.driver.status().link ? 1 : 0);
      },
    });
    new Gauge({
      name: `${PREFIX}instrument_online`,
      help: 'Whether the instrument says it is online (1) or not (0)',
      labelNames: ['instrument'],
      registers: [this.registry],
      collect() {
        this.reset();
        for (const i of instruments.list()) this.set({ instrument: i.id }, i.driver.status().online ? 1 : 0);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
  }

  onModuleInit(): void {
    this.off = this.bus.onAny((e) => this.observe(e));
  }

  onApplicationShutdown(): void {
    this.off?.();
  }

  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private observe(e: LabEvent): void {
    this.events.inc({ type: e.type });
    const seconds = (start: number | undefined): number | undefined =>
      start === undefined ? undefined : Math.max(0, (e.ts - start) / 1000);
    switch (e.type) {
      case 'experiment.status': {
        const d = (e as LabEvent<'experiment.status'>).data;
        if (d.to === 'running') this.experimentStart.set(d.experimentId, e.ts);
        if (TERMINAL.has(d.to)) {
          this.finished.inc({ status: d.to });
          const s = seconds(this.experimentStart.take(d.experimentId));
          if (s !== undefined) this.experimentSeconds.observe({ status: d.to }, s);
        }
        break;
      }
      case 'command.stored': {
        const d = (e as LabEvent<'command.stored'>).data;
        this.stepStart.set(d.commandId, e.ts);
        this.commandAction.set(d.commandId, d.action);
        break;
      }
      case 'command.sent': {
        const d = (e as LabEvent<'command.sent'>).data;
        if (d.resend) this.resends.inc({ instrument: d.instrument });
        if (!this.commandStart.has(d.commandId)) this.commandStart.set(d.commandId, e.ts);
        break;
      }
      case 'command.finished': {
        const d = (e as LabEvent<'command.finished'>).data;
        const action = this.commandAction.get(d.commandId) ?? 'unknown';
        this.commandAction.delete(d.commandId);
        const labels = { instrument: d.instrument, action, status: d.status };
        const step = seconds(this.stepStart.take(d.commandId));
        if (step !== undefined) this.stepSeconds.observe(labels, step);
        const cmd = seconds(this.commandStart.take(d.commandId));
        if (cmd !== undefined) this.commandSeconds.observe(labels, cmd);
        break;
      }
      case 'strategy.asked':
        this.askSeconds.observe((e as LabEvent<'strategy.asked'>).data.seconds);
        break;
      case 'alert.delivered': {
        const d = (e as LabEvent<'alert.delivered'>).data;
        this.alerts.inc({ alert: d.alert, outcome: d.ok ? 'delivered' : 'failed' });
        break;
      }
      default:
        break;
    }
  }
}
