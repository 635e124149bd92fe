/**
 * A driver's readings: the stream every sample goes out on, and the last value of each reading so that, when the
 * link or the instrument is lost, each is re-issued once marked invalid — a reading is never served stale.
 */
import { Subject, type Observable } from 'rxjs';
import type { Clock } from '../common/clock.js';
import type { Reading } from './instrument-driver.port.js';

export class ReadingStream {
  private readonly subject = new Subject<Reading>();
  private readonly last = new Map<string, Reading>();

  constructor(
    private readonly instrument: string,
    private readonly clock: Clock,
  ) {}

  get readings$(): Observable<Reading> {
    return this.subject.asObservable();
  }

  /** The latest value of every reading seen so far. */
  latest(): Reading[] {
    return [...this.last.values()];
  }

  push(name: string, value: unknown, t: number, valid: boolean): void {
    const reading: Reading = { instrument: this.instrument, name, t, value, valid };
    this.last.set(name, reading);
    this.subject.next(reading);
  }

  /** Re-issues every valid reading as invalid, stamped now. */
  invalidate(): void {
    for (const [name, r] of this.last) {
      if (!r.valid) continue;
      const invalid = { ...r, t: this.clock.now(), valid: false };
      this.last.set(name, invalid);
      this.subject.next(invalid);
    }
  }

  complete(): void {
    this.subject.complete();
  }
}
