/**
 * Server-sent events from the event bus. A client that reconnects with `Last-Event-ID` (or `?since=`) first gets
 * every journaled event after that id from the event table, then the live stream, with nothing lost or repeated
 * in between: the bus is subscribed before the replay is read, and live events the replay already covered are
 * skipped. Live-only events (instrument status, command progress) carry no id.
 */
import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { Request, Response } from 'express';
import { describeError } from '../common/lab-error.js';
import { EventBus } from '../events/event-bus.service.js';
import { eventKeys, type LabEvent } from '../events/event-map.js';
import { EventLogRepository } from '../store/event-log.repository.js';
import { RecordsRepository } from '../store/records.repository.js';

const HEARTBEAT_MS = 15_000;
const REPLAY_LIMIT = 50_000;

export interface StreamOptions {
  /** Replay journaled events after this id. */
  since?: number;
  /** Only this campaign's events (plus events that belong to no campaign: instruments, broker). */
  campaign?: string;
}

export function formatSse(e: LabEvent): string {
  const body = JSON.stringify({ id: e.id, type: e.type, ts: e.ts, data: e.data });
  return `${e.id !== undefined ? `id: ${e.id}\n` : ''}data: ${body}\n\n`;
}

@Injectable()
export class EventStreams implements BeforeApplicationShutdown {
  private readonly logger = new Logger('events');
  private readonly open = new Set<Response>();

  constructor(
    private readonly bus: EventBus,
    private readonly eventLog: EventLogRepository,
    private readonly records: RecordsRepository,
  ) {}

  get clients(): number {
    return this.open.size;
  }

  serve(req: Request, res: Response, o: StreamOptions): void {
    res.status(200).set({
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    res.write('retry: 2000\n\n');
    const belongs = this.filter(o.campaign);
    const buffered: LabEvent[] = [];
    let live = false;
    let lastSent = o.since ?? 0;
    const send = (e: LabEvent): void => {
      if (e.id !== undefined) {
        if (e.id <= lastSent) return;
        lastSent = e.id;
      }
      if (belongs(e)) res.write(formatSse(e));
    };
    const off = this.bus.onAny((e) => (live ? send(e) : buffered.push(e)));
    try {
      if (o.since !== undefined) {
        for (const e of this.eventLog.after(o.since, { campaign: o.campaign, limit: REPLAY_LIMIT })) send(e);
      } else {
        lastSent = this.eventLog.lastId();
      }
      for (const e of buffered) send(e);
      live = true;
    } catch (err) {
      this.logger.error(`event stream replay failed: ${describeError(err)}`);
      off();
      res.end();
      return;
    }
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
    heartbeat.unref();
    this.open.add(res);
    const close = (): void => {
      clearInterval(heartbeat);
      off();
      this.open.delete(res);
    };
    req.on('close', close);
    res.on('close', close);
  }

  /** Open streams would keep the HTTP server from closing: end them first. */
  beforeApplicationShutdown(): void {
    for (const res of this.open) res.end();
    this.open.clear();
  }

  private filter(campaign: string | undefined): (e: LabEvent) => boolean {
    if (!campaign) return () => true;
    const experiments = new Set(this.records.experiments(campaign).map((e) => e.id));
    return (e) => {
      const keys = eventKeys(e.data);
      if (keys.campaignId === campaign) {
        if (e.type === 'experiment.designed' && keys.experimentId) experiments.add(keys.experimentId);
        return true;
      }
      if (keys.campaignId) return false;
      if (keys.experimentId) return experiments.has(keys.experimentId);
      return true;
    };
  }
}
