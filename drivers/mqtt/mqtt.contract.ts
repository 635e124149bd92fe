/**
 * The labloop MQTT instrument contract, version 1 (see docs/mqtt.md): topics and payloads, shared by the driver and
 * the simulated instruments. Payloads from the wire are parsed here and nowhere else; a malformed one becomes a
 * reason string, never an exception.
 */
import { z } from 'zod';

export const CONTRACT_VERSION = 1;

export function instrumentTopics(prefix: string, id: string) {
  const base = `${prefix}/${id}`;
  return {
    state: `${base}/state`,
    describe: `${base}/describe`,
    cmd: `${base}/cmd`,
    reply: `${base}/reply`,
    telemetry: (reading: string) => `${base}/telemetry/${reading}`,
    telemetryAll: `${base}/telemetry/+`,
  };
}

const states = ['idle', 'busy', 'error', 'maintenance'] as const;

export const statePayload = z.object({
  online: z.boolean(),
  state: z.enum(states).optional(),
  detail: z.string().optional(),
});

const valueSpec = z.object({
  type: z.enum(['number', 'integer', 'string', 'boolean']),
  unit: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  enum: z.array(z.union([z.string(), z.number()])).optional(),
});

export const describePayload = z.object({
  v: z.literal(CONTRACT_VERSION),
  model: z.string().optional(),
  actions: z.record(
    z.string(),
    z.object({
      params: z.record(z.string(), valueSpec).default({}),
      result: z.record(z.string(), valueSpec).default({}),
    }),
  ),
  readings: z.record(z.string(), valueSpec).default({}),
});

export const commandPayload = z.object({
  id: z.string().min(1).max(200),
  action: z.string().min(1),
  params: z.record(z.string(), z.unknown()).default({}),
  deadline: z.iso.datetime({ offset: true }),
});

export const replyStatuses = ['accepted', 'running', 'done', 'failed', 'rejected'] as const;

export const replyPayload = z.object({
  id: z.string().min(1),
  status: z.enum(replyStatuses),
  progress: z.number().min(0).max(1).optional(),
  result: z.record(z.string(), z.unknown()).optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});

export const telemetryPayload = z.object({ t: z.iso.datetime({ offset: true }), v: z.unknown() });

export type StatePayload = z.infer<typeof statePayload>;
export type DescribePayload = z.infer<typeof describePayload>;
export type CommandPayload = z.infer<typeof commandPayload>;
export type ReplyPayload = z.infer<typeof replyPayload>;
export type TelemetryPayload = z.infer<typeof telemetryPayload>;

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Decodes a JSON payload against one of the schemas above. */
export function decode<T>(schema: z.ZodType<T>, payload: Buffer | string): Decoded<T> {
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const r = schema.safeParse(json);
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  return { ok: false, reason: `${issue?.path.join('.') || 'payload'}: ${issue?.message ?? 'invalid'}` };
}

/** The well-known error codes of the contract. */
export const ERROR_CODES = {
  expired: 'EXPIRED',
  aborted: 'ABORTED',
  unknownAction: 'UNKNOWN_ACTION',
  badParameter: 'BAD_PARAMETER',
  badRequest: 'BAD_REQUEST',
} as const;

/** Does an MQTT topic filter (with + and #) match a topic? */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}
