/**
 * A clock tests move by hand: time stands still until `advance` or `settle` moves it to the next timer, so waits,
 * backoffs and timeouts run in no wall time and in a fixed order.
 */
import type { Clock, Timer } from '../../src/common/clock.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
}

export class ManualClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly timers = new Set<Pending>();

  constructor(start = Date.UTC(2026, 0, 5, 9, 0, 0)) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimer(ms: number, fn: () => void): Timer {
    const p: Pending = { at: this.t + Math.max(0, ms), seq: this.seq++, fn };
    this.timers.add(p);
    return { cancel: () => this.timers.delete(p) };
  }

  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Moves time forward by `ms`, firing due timers in order (letting promises run between them). */
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    for (;;) {
      await flush();
      const next = this.next();
      if (!next || next.at > until) break;
      this.fire(next);
    }
    this.t = until;
    await flush();
  }

  /** Runs until `promise` settles, jumping to the next timer whenever nothing else can happen. */
  async settle<T>(promise: Promise<T>, maxSteps = 100_000): Promise<T> {
    let done = false;
    const tracked = promise.finally(() => (done = true));
    for (let i = 0; i < maxSteps; i++) {
      await flush();
      if (done) return tracked;
      const next = this.next();
      if (!next) throw new Error('deadlock: nothing left to run and the promise has not settled');
      this.fire(next);
    }
    throw new Error('too many steps');
  }

  private next(): Pending | undefined {
    let best: Pending | undefined;
    for (const p of this.timers)
      if (!best || p.at < best.at || (p.at === best.at && p.seq < best.seq)) best = p;
    return best;
  }

  private fire(p: Pending): void {
    this.timers.delete(p);
    this.t = Math.max(this.t, p.at);
    p.fn();
  }
}

async function flush(): Promise<void> {
  // Enough turns for about 20 group commits in a row (each waits two turns).
  for (let i = 0; i < 40; i++) await new Promise<void>((r) => setImmediate(r));
}
