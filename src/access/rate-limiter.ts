/**
 * Fixed-window request counting per client address and kind (reads, writes). Requests per minute are a wall-time
 * matter (a sped-up lab clock must not loosen the limit), so the time source is passed in, wall time by default.
 * @nestjs/throttler is CommonJS and cannot load the ESM-only Nest 12 under Jest, and this is all it would do here.
 */
export interface RateDecision {
  allowed: boolean;
  /** Seconds until the window resets (for Retry-After). */
  retryAfter: number;
  remaining: number;
}

const MAX_TRACKED = 10_000;

export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(key: string, limit: number): RateDecision {
    const now = this.now();
    let w = this.windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      if (!w && this.windows.size >= MAX_TRACKED) this.sweep(now);
      w = { start: now, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    const retryAfter = Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
    return { allowed: w.count <= limit, retryAfter, remaining: Math.max(0, limit - w.count) };
  }

  /** Drops finished windows; if every one is current, the oldest go (memory stays bounded under a flood). */
  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (now - w.start >= this.windowMs) this.windows.delete(k);
    let excess = this.windows.size - MAX_TRACKED + 1;
    for (const k of this.windows.keys()) {
      if (excess-- <= 0) break;
      this.windows.delete(k);
    }
  }
}
