/**
 * A discrete-event virtual clock for one process: lab time stands still while anything is under way and jumps to
 * the next timer as soon as the whole process is idle (event-loop-activity.ts says what idle means). Daemon,
 * broker and simulators share it in one process, so a day of lab time runs in seconds through the same code and the
 * same sockets.
 *
 * Timers fire one at a time, in (due time, creation) order, and each one only once the consequences of the previous
 * one have died down: with a seeded lab and one experiment at a time, the same inputs give the same run.
 *
 * `auto: false` leaves time still until a test moves it with `advance(ms)`; `settle()` waits for quiet either way.
 */
import { performance } from 'node:perf_hooks';
import type { Clock, Timer } from '../../src/common/clock.js';
import { callbackCount, realTimerDueWithin, requestsInFlight, watchActivity } from './event-loop-activity.js';

export interface VirtualClockOptions {
  /** Lab time at the start, ms since the epoch (default: the current second). */
  start?: number;
  /** Jump to the next timer whenever the process is idle (default true); false: only `advance` moves time. */
  auto?: boolean;
  /** Consecutive event-loop turns without activity before a timer fires (default 3). */
  quietTurns?: number;
  /** Real milliseconds without activity before a timer fires (default 0.2). */
  settleMs?: number;
  /**
   * A one-shot real timer due within this many real ms counts as work under way (default 50; 0 ignores real
   * timers and saves an async hook). Repeating real timers never hold the clock.
   */
  realTimerHorizonMs?: number;
}

interface Entry {
  due: number;
  seq: number;
  fn: () => void;
  state: 'pending' | 'cancelled' | 'fired';
}

interface Waiter {
  target: number;
  resolve: () => void;
}

export interface VirtualClockStats {
  /** Timers fired so far. */
  fired: number;
  /** Times lab time jumped forward. */
  jumps: number;
  /** Timers waiting. */
  pending: number;
}

export class VirtualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly heap: Entry[] = [];
  private live = 0;
  private readonly auto: boolean;
  private readonly quietTurns: number;
  private readonly settleMs: number;
  private readonly horizonMs: number;
  private readonly waiters: Waiter[] = [];
  private probing = false;
  private closed = false;
  private readonly releaseActivity: () => void;
  private lastCount = 0;
  private quiet = 0;
  private lastActivity = 0;
  private fired = 0;
  private jumps = 0;

  constructor(o: VirtualClockOptions = {}) {
    this.time = o.start ?? Math.floor(Date.now() / 1000) * 1000;
    this.auto = o.auto ?? true;
    this.quietTurns = o.quietTurns ?? 3;
    this.settleMs = o.settleMs ?? 0.2;
    this.horizonMs = o.realTimerHorizonMs ?? 50;
    this.releaseActivity = watchActivity({ realTimers: this.horizonMs > 0 });
  }

  now(): number {
    return this.time;
  }

  setTimer(ms: number, fn: () => void): Timer {
    if (this.closed) return { cancel: () => undefined };
    const entry: Entry = {
      due: this.time + Math.max(0, Number.isFinite(ms) ? ms : 0),
      seq: this.seq++,
      fn,
      state: 'pending',
    };
    this.push(entry);
    this.live++;
    this.kick();
    return {
      cancel: () => {
        if (entry.state !== 'pending') return;
        entry.state = 'cancelled';
        this.live--;
        if (this.heap.length > 64 && this.heap.length > 2 * this.live) this.compact();
      },
    };
  }

  /** Moves lab time forward by `ms`, firing every timer due on the way, each once the process is quiet. */
  advance(ms: number): Promise<void> {
    return this.waitFor(this.time + Math.max(0, ms));
  }

  /** Resolves once the process is quiet and no timer is due now. */
  settle(): Promise<void> {
    return this.waitFor(this.time);
  }

  stats(): VirtualClockStats {
    return { fired: this.fired, jumps: this.jumps, pending: this.live };
  }

  /** Stops moving time; pending timers never fire. Releases the activity hook. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.heap.length = 0;
    this.live = 0;
    this.releaseActivity();
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private waitFor(target: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.waiters.push({ target, resolve });
      this.kick();
    });
  }

  private kick(): void {
    if (this.probing || this.closed) return;
    if (this.waiters.length === 0 && !(this.auto && this.live > 0)) return;
    this.probing = true;
    this.quiet = 0;
    this.lastActivity = performance.now();
    this.lastCount = callbackCount();
    setImmediate(this.turn);
  }

  /** One event-loop turn of the driver: measure activity; when quiet long enough, fire one timer or move on. */
  private readonly turn = (): void => {
    if (this.closed) {
      this.probing = false;
      return;
    }
    const count = callbackCount();
    // This turn's own callback accounts for one.
    const foreign = count - this.lastCount - 1;
    const realNow = performance.now();
    if (foreign > 0 || requestsInFlight() || (this.horizonMs > 0 && realTimerDueWithin(this.horizonMs))) {
      this.quiet = 0;
      this.lastActivity = realNow;
    } else {
      this.quiet++;
    }
    if (this.quiet >= this.quietTurns && realNow - this.lastActivity >= this.settleMs) this.onQuiet();
    this.lastCount = callbackCount();
    if (this.waiters.length === 0 && !(this.auto && this.live > 0)) {
      this.probing = false;
      return;
    }
    setImmediate(this.turn);
  };

  private onQuiet(): void {
    const next = this.peek();
    // Nothing left to do at this instant: whoever waits for quiet may go on.
    if (!next || next.due > this.time) this.resolveWaiters();
    const target = this.waiters.reduce((m, w) => Math.min(m, w.target), Infinity);
    // Without auto advance, time moves only towards a waiter's target.
    const limit = this.auto ? Infinity : target;
    if (!Number.isFinite(limit) && !this.auto) return;
    if (next && next.due <= Math.min(target, limit)) {
      this.fire(next);
      return;
    }
    // Nothing due before the nearest `advance` target: move there exactly.
    if (Number.isFinite(target) && target > this.time) {
      this.time = target;
      this.resolveWaiters();
    }
  }

  private resolveWaiters(): void {
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i] as Waiter;
      if (w.target <= this.time) {
        this.waiters.splice(i, 1);
        w.resolve();
      }
    }
  }

  private fire(entry: Entry): void {
    this.pop();
    if (entry.due > this.time) {
      this.time = entry.due;
      this.jumps++;
    }
    entry.state = 'fired';
    this.live--;
    this.fired++;
    this.quiet = 0;
    this.lastActivity = performance.now();
    try {
      entry.fn();
    } catch (err) {
      // As a real timer: the error is uncaught, but the clock keeps running.
      process.nextTick(() => {
        throw err;
      });
    }
  }

  /** The earliest pending timer, dropping cancelled ones from the top. */
  private peek(): Entry | undefined {
    while (this.heap.length > 0 && (this.heap[0] as Entry).state !== 'pending') this.pop();
    return this.heap[0];
  }

  private compact(): void {
    const keep = this.heap.filter((e) => e.state === 'pending');
    this.heap.length = 0;
    for (const e of keep) this.push(e);
  }

  private push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(e, h[parent] as Entry)) break;
      h[i] = h[parent] as Entry;
      i = parent;
    }
    h[i] = e;
  }

  private pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length === 0 || !last) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let smallest = last;
      let at = -1;
      if (l < h.length && before(h[l] as Entry, smallest)) {
        smallest = h[l] as Entry;
        at = l;
      }
      if (r < h.length && before(h[r] as Entry, smallest)) {
        smallest = h[r] as Entry;
        at = r;
      }
      if (at < 0) break;
      h[i] = smallest;
      i = at;
    }
    h[i] = last;
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.due < b.due || (a.due === b.due && a.seq < b.seq);
}
