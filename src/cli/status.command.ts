/** `labloop status`: the daemon's health, its instruments, tripped interlocks and every campaign, at a glance. */
import type { CampaignSummary } from '../campaign/campaign.service.js';
import type { InterlockView } from '../lab/interlock-monitor.service.js';
import { DaemonClient, type ClientOptions } from './daemon-client.js';

interface Health {
  status: string;
  components: {
    database: { status: string; file: string };
    broker: { status: string; url: string };
    instruments: Record<string, { status: string; online: boolean; state: string | null }>;
  };
}

function best(c: CampaignSummary): string {
  const [objective] = Object.keys(c.objectives);
  const v = objective ? c.best?.values[objective]?.mean : undefined;
  return v === undefined || !c.best ? '-' : `${objective} ${Number(v.toPrecision(4))} (#${c.best.seq})`;
}

export async function statusCommand(
  o: ClientOptions & { json?: boolean },
  out = process.stdout,
): Promise<number> {
  const client = DaemonClient.from(o);
  const health = (await (
    await fetch(`${client.baseUrl}/api/health`, { headers: client.headers() }).catch(() => null)
  )
    ?.json()
    .catch(() => null)) as Health | null;
  const campaigns = await client.json<CampaignSummary[]>('/api/campaigns');
  const interlocks = await client.json<InterlockView[]>('/api/interlocks').catch((): InterlockView[] => []);
  if (o.json) {
    out.write(`${JSON.stringify({ url: client.baseUrl, health, interlocks, campaigns }, null, 2)}\n`);
    return 0;
  }
  const lines: string[] = [];
  if (health) {
    const c = health.components;
    lines.push(
      `daemon ${client.baseUrl}: ${health.status} · database ${c.database.status} · broker ${c.broker.status} (${c.broker.url})`,
    );
    for (const [id, i] of Object.entries(c.instruments))
      lines.push(`  instrument ${id}: ${i.online ? 'online' : 'offline'}${i.state ? `, ${i.state}` : ''}`);
  }
  for (const v of interlocks.filter((i) => i.state === 'tripped'))
    lines.push(
      `  INTERLOCK ${v.lab}/${v.name} TRIPPED${v.since ? ` since ${v.since}` : ''}: ${v.detail} (labloop interlock reset ${v.name})`,
    );
  if (campaigns.length === 0) lines.push('no campaigns');
  else {
    lines.push(
      '',
      `${'campaign'.padEnd(22)} ${'id'.padEnd(8)} ${'status'.padEnd(10)} ${'done'.padEnd(9)} ${'failed'.padEnd(6)} best`,
    );
    for (const c of campaigns)
      lines.push(
        `${c.name.padEnd(22)} ${c.id.slice(0, 8)} ${c.status.padEnd(10)} ${`${c.experiments.completed}/${c.budget}`.padEnd(9)} ${String(c.experiments.failed).padEnd(6)} ${best(c)}${c.reason ? `  — ${c.reason}` : ''}`,
      );
  }
  out.write(`${lines.join('\n')}\n`);
  return 0;
}
