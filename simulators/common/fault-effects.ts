/** Small pieces of fault behaviour shared by the MQTT and OPC UA simulators: garbage payloads and drift bias. */

/** Malformed messages of the kinds real devices send: broken JSON, wrong shapes, wrong types, binary noise. */
const GARBAGE = [
  '{"id": "',
  'not json at all',
  '[1, 2, 3]',
  '{"id": 42, "status": "maybe"}',
  '{"status": "done"}',
  'null',
  '\u0000\u0001\u0002\u00ff',
  '{"id": "x", "status": "done", "progress": 7}',
] as const;

/** The nth garbage payload (cycles, so a run is reproducible). */
export function garbagePayload(n: number): string {
  return GARBAGE[n % GARBAGE.length] as string;
}

/** Adds `bias` to a number, to every number of an array, or to every number of a record (per-well results). */
export function withBias(value: unknown, bias: number): unknown {
  if (bias === 0) return value;
  if (typeof value === 'number') return value + bias;
  if (Array.isArray(value)) return value.map((v) => withBias(v, bias));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = withBias(v, bias);
    return out;
  }
  return value;
}
