/** Reads of the append-only event log: replay for server-sent events, a campaign's history for reports. */
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Statement } from 'better-sqlite3';
import { DataSource } from 'typeorm';
import type { EventType, LabEvent } from '../events/event-map.js';
import { nativeDatabase } from './sqlite-connection.js';

type Row = { id: number; ts: number; type: string; data: string };

function toEvent(r: Row): LabEvent {
  return { id: r.id, ts: r.ts, type: r.type as EventType, data: JSON.parse(r.data) as LabEvent['data'] };
}

const OF_CAMPAIGN =
  '(campaign_id = @campaign OR experiment_id IN (SELECT id FROM experiment WHERE campaign_id = @campaign))';

@Injectable()
export class EventLogRepository {
  private readonly st: Record<'after' | 'afterOf' | 'ofCampaign' | 'lastId' | 'recent', Statement>;

  constructor(@InjectDataSource() dataSource: DataSource) {
    const db = nativeDatabase(dataSource);
    this.st = {
      after: db.prepare('SELECT id, ts, type, data FROM event WHERE id > @after ORDER BY id LIMIT @limit'),
      afterOf: db.prepare(
        `SELECT id, ts, type, data FROM event WHERE id > @after AND ${OF_CAMPAIGN} ORDER BY id LIMIT @limit`,
      ),
      ofCampaign: db.prepare(`SELECT id, ts, type, data FROM event WHERE ${OF_CAMPAIGN} ORDER BY id`),
      lastId: db.prepare('SELECT COALESCE(MAX(id), 0) AS n FROM event'),
      recent: db.prepare('SELECT id, ts, type, data FROM event ORDER BY id DESC LIMIT ?'),
    };
  }

  /** Events after `after` (an event id), oldest first; only those of one campaign when `campaign` is given. */
  after(after: number, o: { campaign?: string; limit?: number } = {}): LabEvent[] {
    const limit = o.limit ?? 10_000;
    const rows = (
      o.campaign
        ? this.st.afterOf.all({ after, campaign: o.campaign, limit })
        : this.st.after.all({ after, limit })
    ) as Row[];
    return rows.map(toEvent);
  }

  /** Every event of a campaign (its own and its experiments' and commands'), oldest first. */
  ofCampaign(campaign: string, types?: readonly EventType[]): LabEvent[] {
    const all = (this.st.ofCampaign.all({ campaign }) as Row[]).map(toEvent);
    return types ? all.filter((e) => types.includes(e.type)) : all;
  }

  /** The newest `count` events, oldest first. */
  recent(count: number): LabEvent[] {
    return (this.st.recent.all(count) as Row[]).map(toEvent).reverse();
  }

  lastId(): number {
    return (this.st.lastId.get() as { n: number }).n;
  }
}
