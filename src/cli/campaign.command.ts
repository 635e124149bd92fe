/** `labloop campaign start|pause|hold|resume|abort <campaign>`: steer a campaign on the running daemon. */
import type { CampaignSummary } from '../campaign/campaign.service.js';
import { DaemonClient, type ClientOptions } from './daemon-client.js';

export const CAMPAIGN_ACTIONS = ['start', 'pause', 'hold', 'resume', 'abort'] as const;
export type CampaignAction = (typeof CAMPAIGN_ACTIONS)[number];

export async function campaignCommand(
  action: CampaignAction,
  ref: string,
  o: ClientOptions & { reason?: string; json?: boolean },
  out = process.stdout,
): Promise<number> {
  const client = DaemonClient.from(o);
  const c = await client.campaign(ref);
  const after = await client.json<CampaignSummary>(`/api/campaigns/${c.id}/${action}`, {
    method: 'POST',
    body: o.reason ? { reason: o.reason } : {},
  });
  if (o.json) out.write(`${JSON.stringify(after)}\n`);
  else out.write(`campaign ${after.name} (${after.id.slice(0, 8)}): ${c.status} → ${after.status}\n`);
  return 0;
}
