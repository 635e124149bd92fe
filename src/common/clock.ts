/**
 * The one clock. Everything that waits, times out or timestamps reads the injected Clock, so simulators and tests
 * can run lab time faster than wall time. Durations given to a Clock are lab milliseconds.
 */

export interface Timer {
  cancel(): void;
}

export interface Clock {
  /** Lab time, milliseconds since the Unix epoch. */
  now(): number;
  /** Calls `fn` once after `ms` lab milliseconds. */
  setTimer(ms: number, fn: () => void): Timer;
}

/** Nest injection token for the daemon's Clock. */
export const CLOCK = Symbol('labloop.clock');

/**
 * Wall time, optionally sped up. With `scale` > 1, lab time runs `scale` times faster than wall time from `anchor`
 * (lab time equals wall time at the anchor), so two processes started with the same scale and anchor agree.
 */
export class SystemClock implements Clock {
  private readonly anchor: number;

  constructor(
    private readonly scale = 1,
    anchor?: number,
  ) {
    if (!(scale > 0) || !Number.isFinite(scale))
      throw new RangeError(`time scale must be a positive number, got ${scale}`);
    this.anchor = anchor ?? Date.now();
  }

  now(): number {
    if (this.scale === 1) return Date.now();
    return Math.round(this.anchor + (Date.now() - this.anchor) * this.scale);
  }

  setTimer(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, ms / this.scale));
    return { cancel: () => clearTimeout(handle) };
  }
}

/** Resolves after `ms` lab milliseconds; rejects with the signal's reason when aborted first. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(abortReason(signal));
    };
    const timer = clock.setTimer(ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function abortReason(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}
