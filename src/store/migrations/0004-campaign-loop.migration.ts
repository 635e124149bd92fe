import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The loop around the clock (issue 6): what an experiment is for — proposed by the strategy (`design`), a control run
 * of the incumbent to watch for drift (`control`, not counted in the budget, not told to the strategy), or a re-run
 * of one a crash interrupted (`rerun`) — and when a campaign first started, for its wall-time budget.
 */
export class CampaignLoop1767312000000 implements MigrationInterface {
  name = 'CampaignLoop1767312000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE experiment ADD COLUMN kind TEXT NOT NULL DEFAULT 'design'`);
    await q.query(`ALTER TABLE campaign ADD COLUMN started_at INTEGER`);
    await q.query(
      `UPDATE campaign SET started_at = (SELECT MIN(created_at) FROM experiment WHERE campaign_id = campaign.id)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE experiment DROP COLUMN kind');
    await q.query('ALTER TABLE campaign DROP COLUMN started_at');
  }
}
