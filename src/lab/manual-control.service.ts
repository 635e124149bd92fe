/**
 * Manual and emergency control of instruments, for maintenance and for stopping things now. A manual action takes
 * the instrument's lock like any experiment step (waiting its turn, bounded), passes the same command guard (hard
 * limits), and is journaled before it is sent and when it ends. An abort never waits for a lock: it goes out at once
 * to every instrument named (none: all of them), journaled before and after.
 */
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, type Clock } from '../common/clock.js';
import { formatDuration, parseDuration } from '../common/durations.js';
import { LabError } from '../common/lab-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.schema.js';
import type { ControlSource } from '../events/event-map.js';
import { Journal } from '../store/journal.service.js';
import type { CommandOutcome } from './instrument-driver.port.js';
import { InstrumentRegistry } from './instrument-registry.service.js';

export const DEFAULT_MANUAL_TIMEOUT_MS = 5 * 60_000;

export interface ManualRequest {
  params: Record<string, unknown>;
  source: ControlSource;
  /** Who asked (the API token's name), when known. */
  actor?: string;
  reason?: string;
  /** Longest the command may take once sent, lab ms. */
  timeoutMs?: number;
  /** Longest to wait for the instrument's lock (experiments using it go first), lab ms. */
  lockWaitMs?: number;
}

export type ManualResult = { commandId: string; instrument: string; action: string } & CommandOutcome;

export interface AbortReport {
  instruments: string[];
  delivered: string[];
  failed: { instrument: string; reason: string }[];
}

@Injectable()
export class ManualControl {
  private readonly logger = new Logger('manual');
  private readonly dispatchWindowMs: number;

  constructor(
    private readonly instruments: InstrumentRegistry,
    private readonly journal: Journal,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.dispatchWindowMs = parseDuration(config.instruments.dispatchWindow) ?? 60_000;
  }

  async run(instrument: string, action: string, r: ManualRequest): Promise<ManualResult> {
    if (!this.instruments.get(instrument))
      throw new LabError('INSTRUMENT_UNKNOWN', `no instrument ${instrument}`);
    const commandId = randomUUID();
    const timeoutMs = r.timeoutMs ?? DEFAULT_MANUAL_TIMEOUT_MS;
    this.journal.write((tx) =>
      tx.event('manual.command', {
        commandId,
        instrument,
        action,
        params: r.params,
        source: r.source,
        ...(r.actor ? { actor: r.actor } : {}),
        ...(r.reason ? { reason: r.reason } : {}),
      }),
    );
    this.logger.log(
      `${r.source}: ${instrument}.${action} ${JSON.stringify(r.params)}${r.reason ? ` (${r.reason})` : ''}`,
    );
    const outcome = await this.withLock(instrument, r.lockWaitMs ?? timeoutMs, () =>
      this.instruments.execute(
        instrument,
        {
          id: commandId,
          action,
          params: r.params,
          deadline: this.clock.now() + this.dispatchWindowMs,
          timeoutMs,
        },
        // A person at the keyboard wants to know now that the instrument is unreachable.
        { offline: { policy: 'fail' } },
      ),
    );
    this.journal.write((tx) =>
      tx.event('manual.finished', {
        commandId,
        instrument,
        action,
        status: outcome.status,
        ...(outcome.status === 'done' ? {} : { error: `${outcome.error.code}: ${outcome.error.message}` }),
      }),
    );
    return { commandId, instrument, action, ...outcome };
  }

  /** Sends the contract's abort to `ids` (all instruments when empty) at once; `target`: one command only. */
  async abort(
    ids: readonly string[],
    o: { source: ControlSource; actor?: string; reason?: string; target?: string },
  ): Promise<AbortReport> {
    const all = this.instruments.list().map((i) => i.id);
    const chosen = ids.length > 0 ? [...ids] : all;
    const unknown = chosen.filter((id) => !all.includes(id));
    if (unknown.length > 0) throw new LabError('INSTRUMENT_UNKNOWN', `no instrument ${unknown.join(', ')}`);
    this.journal.write((tx) =>
      tx.event('instrument.abort', {
        instruments: chosen,
        emergency: o.target === undefined,
        source: o.source,
        ...(o.actor ? { actor: o.actor } : {}),
        ...(o.target ? { target: o.target } : {}),
        ...(o.reason ? { reason: o.reason } : {}),
      }),
    );
    this.logger.warn(
      `${o.source}: abort ${o.target ?? 'everything'} on ${chosen.join(', ') || 'no instrument'}${o.reason ? ` (${o.reason})` : ''}`,
    );
    const results = await Promise.all(
      chosen.map(async (id) => [id, await this.instruments.abort(id, o.target)] as const),
    );
    const report: AbortReport = {
      instruments: chosen,
      delivered: results.filter(([, d]) => d.delivered).map(([id]) => id),
      failed: results.flatMap(([instrument, d]) => (d.delivered ? [] : [{ instrument, reason: d.reason }])),
    };
    this.journal.write((tx) => tx.event('instrument.aborted', report));
    return report;
  }

  private async withLock(
    instrument: string,
    waitMs: number,
    fn: () => Promise<CommandOutcome>,
  ): Promise<CommandOutcome> {
    const gaveUp = new AbortController();
    const timer = this.clock.setTimer(waitMs, () => gaveUp.abort());
    let release: () => void;
    try {
      release = await this.instruments.reserve(instrument, gaveUp.signal);
    } catch {
      return {
        status: 'rejected',
        error: {
          code: 'INSTRUMENT_BUSY',
          message: `${instrument} stayed busy for ${formatDuration(waitMs)}; nothing was sent`,
        },
      };
    } finally {
      timer.cancel();
    }
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
