/**
 * When the lab needs a human: turns events into alerts. Plain code with its own small memory — which instruments
 * were online, recent failures per campaign — so that an instrument flapping offline alerts once per drop and a
 * burst of failures alerts once per burst.
 */
import type { AlertKind } from '../config/config.schema.js';
import type { LabEvent } from '../events/event-map.js';

export type Severity = 'critical' | 'warning' | 'info';

export interface Alert {
  kind: AlertKind;
  severity: Severity;
  /** One line a person reads on a phone at night. */
  summary: string;
  ts: number;
  campaignId?: string;
  instrument?: string;
  details: Record<string, unknown>;
}

export interface AlertRulesOptions {
  burstCount: number;
  burstWindowMs: number;
  campaignName: (id: string) => string;
}

export class AlertRules {
  private readonly online = new Map<string, boolean>();
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly o: AlertRulesOptions) {}

  consider(e: LabEvent): Alert | undefined {
    switch (e.type) {
      case 'campaign.status': {
        const d = (e as LabEvent<'campaign.status'>).data;
        const name = this.o.campaignName(d.campaignId);
        if (d.to === 'held')
          return {
            kind: 'campaign.held',
            severity: 'critical',
            summary: `Campaign ${name} is held${d.reason ? `: ${d.reason}` : ''}. It waits for a person to resume it.`,
            ts: e.ts,
            campaignId: d.campaignId,
            details: { from: d.from, reason: d.reason ?? null },
          };
        if (d.to === 'completed')
          return {
            kind: 'campaign.completed',
            severity: 'info',
            summary: `Campaign ${name} completed${d.reason ? `: ${d.reason}` : ''}.`,
            ts: e.ts,
            campaignId: d.campaignId,
            details: { reason: d.reason ?? null },
          };
        return undefined;
      }
      case 'instrument.status': {
        const d = (e as LabEvent<'instrument.status'>).data;
        const was = this.online.get(d.instrument);
        this.online.set(d.instrument, d.online);
        if (was !== true || d.online) return undefined;
        return {
          kind: 'instrument.offline',
          severity: 'warning',
          summary: `Instrument ${d.instrument} went offline${d.detail ? `: ${d.detail}` : ''}. Experiments that need it wait.`,
          ts: e.ts,
          instrument: d.instrument,
          details: { state: d.state ?? null, detail: d.detail ?? null },
        };
      }
      case 'experiment.status': {
        const d = (e as LabEvent<'experiment.status'>).data;
        if (d.to !== 'failed') return undefined;
        const recent = (this.failures.get(d.campaignId) ?? []).filter((t) => e.ts - t < this.o.burstWindowMs);
        recent.push(e.ts);
        if (recent.length < this.o.burstCount) {
          this.failures.set(d.campaignId, recent);
          return undefined;
        }
        this.failures.set(d.campaignId, []);
        const minutes = Math.round(this.o.burstWindowMs / 60_000);
        return {
          kind: 'experiments.failed',
          severity: 'warning',
          summary:
            `Campaign ${this.o.campaignName(d.campaignId)}: ${recent.length} experiments failed within ${minutes} min; last: #${d.seq} ${d.reason ?? ''}`.trim(),
          ts: e.ts,
          campaignId: d.campaignId,
          details: { failures: recent.length, lastSeq: d.seq, lastReason: d.reason ?? null },
        };
      }
      case 'interlock.tripped': {
        const d = (e as LabEvent<'interlock.tripped'>).data;
        return {
          kind: 'interlock.tripped',
          severity: 'critical',
          summary: `Interlock ${d.interlock} tripped${d.instrument ? ` on ${d.instrument}` : ''}${d.detail ? `: ${d.detail}` : ''}.`,
          ts: e.ts,
          ...(d.campaignId ? { campaignId: d.campaignId } : {}),
          ...(d.instrument ? { instrument: d.instrument } : {}),
          details: { interlock: d.interlock, detail: d.detail ?? null },
        };
      }
      default:
        return undefined;
    }
  }
}
