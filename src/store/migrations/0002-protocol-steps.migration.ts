import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Protocol language (issue 3): one row per leaf step of an experiment and per control decision (which branch, which
 * repetitions), keyed by the step's stable key, so a restart skips what is done; and the protocol file a campaign
 * ran (by content hash), for provenance.
 */
export class ProtocolSteps1764892800000 implements MigrationInterface {
  name = 'ProtocolSteps1764892800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE step (
      experiment_id TEXT NOT NULL REFERENCES experiment(id) ON DELETE CASCADE, key TEXT NOT NULL,
      kind TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL, started_at INTEGER NOT NULL,
      finished_at INTEGER, result TEXT, error TEXT, detail TEXT, PRIMARY KEY (experiment_id, key))`);
    await q.query(`CREATE INDEX step_waiting ON step (kind, status)`);
    await q.query(`ALTER TABLE campaign ADD COLUMN protocol_hash TEXT REFERENCES document(hash)`);
    await q.query(`ALTER TABLE campaign ADD COLUMN protocol_file TEXT`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS step');
  }
}
