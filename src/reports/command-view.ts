/** One instrument command as the API and the JSON export show it: its raw result, times as ISO strings. */
import type { CommandRecord } from '../store/store.records.js';

export interface CommandView {
  id: string;
  step: string;
  attempt: number;
  instrument: string;
  action: string;
  params: Record<string, unknown>;
  status: string;
  result: Record<string, unknown> | null;
  error: { code: string; message: string } | null;
  sends: number;
  sentAt: string;
  finishedAt: string | null;
}

export function commandView(c: CommandRecord): CommandView {
  return {
    id: c.id,
    step: c.step,
    attempt: c.attempt,
    instrument: c.instrument,
    action: c.action,
    params: c.params,
    status: c.status,
    result: c.result,
    error: c.error,
    sends: c.sends,
    sentAt: new Date(c.createdAt).toISOString(),
    finishedAt: c.finishedAt === null ? null : new Date(c.finishedAt).toISOString(),
  };
}
