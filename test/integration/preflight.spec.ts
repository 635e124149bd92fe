/**
 * The check at campaign start, on the real stack: the simulated reader describes itself (temperature 4–80 degC);
 * a lab file that disagrees with it, or a search space that reaches past its range, holds the campaign before any
 * experiment is designed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CampaignRunner } from '../../src/campaign/campaign-runner.service.js';
import { CampaignService } from '../../src/campaign/campaign.service.js';
import { loadCampaignFile } from '../../src/protocol/document.loader.js';
import { RecordsRepository } from '../../src/store/records.repository.js';
import { startTestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';

const lab = readFileSync('test/fixtures/fast-lab.yaml', 'utf8');
const campaign = readFileSync('test/fixtures/fast-campaign.yaml', 'utf8');

async function runCampaign(
  labText: string,
  campaignText: string,
): Promise<{ status: string; reason: string | null; designed: number }> {
  const dir = tempDir();
  writeFileSync(join(dir.path, 'fast-lab.yaml'), labText);
  writeFileSync(join(dir.path, 'campaign.yaml'), campaignText);
  const t = await startTestApp({ mode: 'run', dataDir: join(dir.path, 'data') });
  try {
    const campaigns = t.app.get(CampaignService);
    const c = campaigns.create(loadCampaignFile(join(dir.path, 'campaign.yaml')));
    await campaigns.start(c.id);
    await t.app.get(CampaignRunner).whenStopped(c.id);
    const after = t.app.get(RecordsRepository).campaign(c.id)!;
    return {
      status: after.status,
      reason: after.reason,
      designed: t.app.get(RecordsRepository).experiments(c.id).length,
    };
  } finally {
    await t.close();
    dir.cleanup();
  }
}

describe('campaign-start preflight (real stack)', () => {
  it('holds a campaign whose lab file gives a unit the instrument does not use', async () => {
    const r = await runCampaign(
      // A consistent lab file in kelvin (the campaign's degC range converts into the K limit)...
      lab
        .replace('temperature: { type: number, unit: degC }', 'temperature: { type: number, unit: K }')
        .replace('temperature: { min: 20, max: 70 }', 'temperature: { min: 293, max: 343 }'),
      campaign,
    );
    // ...for a reader that describes itself in degC: a contradiction only the instrument can reveal.
    expect(r).toEqual({
      status: 'held',
      reason: expect.stringContaining(
        "reader.measure.temperature: the lab file's unit is K, the instrument's is degC",
      ),
      designed: 0,
    });
  });

  it('holds a campaign whose search space reaches past the range the instrument describes', async () => {
    const r = await runCampaign(
      lab.replace('temperature: { min: 20, max: 70 }', 'temperature: { min: 0, max: 100 }'),
      campaign.replace(
        'temperature: { type: float, min: 25, max: 65, unit: degC }',
        'temperature: { type: float, min: 25, max: 85, unit: degC }',
      ),
    );
    expect(r.status).toBe('held');
    expect(r.reason).toMatch(
      /reaches 85 degC, above the hard limit 80 degC of reader\.measure\.temperature \(as the instrument narrows it\)/,
    );
    expect(r.designed).toBe(0);
  });
});
