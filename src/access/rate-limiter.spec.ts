import { RateLimiter } from './rate-limiter.js';

describe('RateLimiter', () => {
  it('allows `limit` requests per window and key, then refuses with the time to wait', () => {
    let now = 1_000;
    const limiter = new RateLimiter(60_000, () => now);
    for (let i = 0; i < 3; i++) expect(limiter.take('a', 3).allowed).toBe(true);
    const refused = limiter.take('a', 3);
    expect(refused).toEqual({ allowed: false, retryAfter: 60, remaining: 0 });
    expect(limiter.take('b', 3).allowed).toBe(true);
    now += 30_000;
    expect(limiter.take('a', 3)).toMatchObject({ allowed: false, retryAfter: 30 });
    now += 30_000;
    expect(limiter.take('a', 3)).toEqual({ allowed: true, retryAfter: 60, remaining: 2 });
  });

  it('stays bounded in memory under a flood of distinct addresses', () => {
    const limiter = new RateLimiter(60_000, () => 0);
    for (let i = 0; i < 25_000; i++) limiter.take(`k${i}`, 1);
    expect((limiter as unknown as { windows: Map<string, unknown> }).windows.size).toBeLessThanOrEqual(
      10_000,
    );
  });
});
