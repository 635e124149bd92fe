import { timeOrderedId } from './time-ordered-id.js';

describe('timeOrderedId (UUID v7)', () => {
  it('is a UUID of version 7 and the RFC 9562 variant', () => {
    const id = timeOrderedId();
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('carries the milliseconds in its first 48 bits', () => {
    const ms = Date.UTC(2026, 10, 27, 10, 30, 0, 123);
    const id = timeOrderedId(ms);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(ms);
  });

  it('sorts later ids after earlier ones, and never repeats', () => {
    const ids = Array.from({ length: 1000 }, (_, i) => timeOrderedId(1_700_000_000_000 + i));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(Array.from({ length: 10_000 }, () => timeOrderedId(1_700_000_000_000))).size).toBe(10_000);
  });
});
