/**
 * UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then 74 random bits. Ids made in a later millisecond sort
 * later (within one millisecond their order is random), so rows keyed by them are appended near the end of their
 * indexes instead of landing on a random page: a commit touches a few pages rather than one per row, which keeps the
 * journal's durable commits cheap as the database grows. Wall time, not lab time: an id orders storage, nothing in
 * the lab, and must stay unique when a virtual clock stands still or jumps.
 */
import { randomBytes } from 'node:crypto';

export function timeOrderedId(nowMs: number = Date.now()): string {
  const b = randomBytes(16);
  b.writeUIntBE(Math.max(0, Math.floor(nowMs)) % 2 ** 48, 0, 6);
  b[6] = ((b[6] as number) & 0x0f) | 0x70; // version 7
  b[8] = ((b[8] as number) & 0x3f) | 0x80; // variant 10
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
