/**
 * `labloop watch <campaign>`: a live progress bar with the best so far, from the daemon's event stream (resumed
 * with the last event id if the connection drops). Exits when the campaign ends or needs a human: 0 completed,
 * 2 held, 3 aborted — the exit codes of `labloop run`.
 */
import type { Writable } from 'node:stream';
import type { CampaignSummary } from '../campaign/campaign.service.js';
import type { LabEvent } from '../events/event-map.js';
import { EXIT } from './cli-errors.js';
import { DaemonClient, type ClientOptions } from './daemon-client.js';
import { ProgressBar } from './progress-bar.js';
import { readSse } from './sse-reader.js';

const RECONNECT_MS = 1000;
const REFRESH_ON = new Set([
  'experiment.status',
  'observation.recorded',
  'campaign.status',
  'experiment.designed',
]);

function exitFor(status: string): number | undefined {
  if (status === 'completed') return EXIT.ok;
  if (status === 'held') return EXIT.held;
  if (status === 'aborted') return EXIT.failed;
  return undefined;
}

function describe(s: CampaignSummary): string {
  const [objective] = Object.keys(s.objectives);
  const v = objective ? s.best?.values[objective]?.mean : undefined;
  const best =
    v === undefined || !s.best ? '' : ` · best ${objective} ${Number(v.toPrecision(4))} (#${s.best.seq})`;
  return `${s.status}${s.experiments.failed ? ` · ${s.experiments.failed} failed` : ''}${best}`;
}

export async function watchCommand(
  ref: string,
  o: ClientOptions,
  stderr: Writable = process.stderr,
  stdout = process.stdout,
): Promise<number> {
  const client = DaemonClient.from(o);
  const bar = new ProgressBar(stderr);
  let summary = await client.campaign(ref);
  const show = (): void => bar.update(summary.experiments.completed, summary.budget, describe(summary));
  const finish = (code: number): number => {
    bar.finish();
    stdout.write(
      `campaign ${summary.name}: ${summary.status}${summary.reason ? ` (${summary.reason})` : ''}; ${describe(summary)}\n`,
    );
    return code;
  };
  show();
  const done = exitFor(summary.status);
  if (done !== undefined) return finish(done);
  const [last] = await client.json<{ id: number }[]>('/api/events/log?last=1');
  let since = last?.id ?? 0;
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.once('SIGINT', onSignal);
  try {
    while (!stop.signal.aborted) {
      try {
        const res = await client.request(`/api/events?campaign=${summary.id}&since=${since}`, {
          signal: stop.signal,
        });
        if (!res.body) throw new Error('no event stream');
        for await (const m of readSse(res.body)) {
          if (m.id) since = Number(m.id);
          const e = JSON.parse(m.data) as LabEvent;
          if (!REFRESH_ON.has(e.type)) continue;
          summary = await client.json<CampaignSummary>(`/api/campaigns/${summary.id}`);
          if (e.type === 'campaign.status') {
            const d = e.data as LabEvent<'campaign.status'>['data'];
            bar.around(() => stderr.write(`${d.from} → ${d.to}${d.reason ? `: ${d.reason}` : ''}\n`));
          }
          show();
          const code = exitFor(summary.status);
          if (code !== undefined) return finish(code);
        }
      } catch (e) {
        if (stop.signal.aborted) break;
        bar.around(() =>
          stderr.write(`event stream lost (${e instanceof Error ? e.message : String(e)}); reconnecting\n`),
        );
      }
      await new Promise((r) => setTimeout(r, RECONNECT_MS));
    }
    bar.finish();
    return EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
  }
}
