/**
 * What every driver shows the same way: its status (deduplicated, each change an `instrument.status` event), its
 * description once known, and its readings (never served stale). A driver extends this and adds its transport.
 */
import { BehaviorSubject, filter, firstValueFrom, type Observable } from 'rxjs';
import { sleep } from '../common/clock.js';
import type {
  DriverContext,
  InstrumentDescription,
  InstrumentStatus,
  Reading,
} from './instrument-driver.port.js';
import { ReadingStream } from './reading-stream.js';

export abstract class DriverBase {
  readonly id: string;
  protected readonly readings: ReadingStream;
  protected readonly description = new BehaviorSubject<InstrumentDescription | undefined>(undefined);
  private readonly statusSubject = new BehaviorSubject<InstrumentStatus>({ link: false, online: false });

  constructor(readonly ctx: DriverContext) {
    this.id = ctx.id;
    this.readings = new ReadingStream(ctx.id, ctx.clock);
  }

  get status$(): Observable<InstrumentStatus> {
    return this.statusSubject.asObservable();
  }

  get readings$(): Observable<Reading> {
    return this.readings.readings$;
  }

  status(): InstrumentStatus {
    return this.statusSubject.value;
  }

  latestReadings(): Reading[] {
    return this.readings.latest();
  }

  describe(): InstrumentDescription | undefined {
    return this.description.value;
  }

  /** The description, waiting for it at most `timeoutMs` of lab time; undefined if none came. */
  described(timeoutMs: number): Promise<InstrumentDescription | undefined> {
    if (this.description.value) return Promise.resolve(this.description.value);
    const controller = new AbortController();
    return Promise.race([
      firstValueFrom(this.description.pipe(filter((d) => d !== undefined))),
      sleep(this.ctx.clock, timeoutMs, controller.signal).then(() => undefined),
    ])
      .catch(() => undefined)
      .finally(() => controller.abort());
  }

  /** Publishes `s` if anything in it changed (after `close`, nothing). */
  protected setStatus(s: InstrumentStatus): void {
    const p = this.statusSubject.value;
    if (p.link === s.link && p.online === s.online && p.state === s.state && p.detail === s.detail) return;
    if (this.statusSubject.closed) return;
    this.statusSubject.next(s);
    this.ctx.events.emit('instrument.status', {
      instrument: this.id,
      online: s.online && s.link,
      ...(s.state ? { state: s.state } : {}),
      ...(s.detail ? { detail: s.detail } : {}),
    });
  }

  /** Ends the status, description and reading streams (at `close`). */
  protected completeStreams(): void {
    this.statusSubject.complete();
    this.description.complete();
    this.readings.complete();
  }
}
