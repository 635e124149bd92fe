import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Initial1764201600000 implements MigrationInterface {
  name = 'Initial1764201600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE document (
      hash TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL, file TEXT NOT NULL, text TEXT NOT NULL,
      created_at INTEGER NOT NULL)`);
    await q.query(`CREATE TABLE campaign (
      id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
      spec_hash TEXT NOT NULL REFERENCES document(hash), lab_hash TEXT NOT NULL REFERENCES document(hash),
      spec_file TEXT NOT NULL, lab_file TEXT NOT NULL, seed INTEGER NOT NULL,
      created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`);
    await q.query(`CREATE TABLE experiment (
      id TEXT PRIMARY KEY NOT NULL, campaign_id TEXT NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
      seq INTEGER NOT NULL, suggestion_id TEXT NOT NULL, params TEXT NOT NULL, status TEXT NOT NULL, reason TEXT,
      created_at INTEGER NOT NULL, started_at INTEGER, finished_at INTEGER)`);
    await q.query(`CREATE UNIQUE INDEX experiment_campaign_seq ON experiment (campaign_id, seq)`);
    await q.query(`CREATE INDEX experiment_campaign_status ON experiment (campaign_id, status)`);
    await q.query(`CREATE TABLE command (
      id TEXT PRIMARY KEY NOT NULL, experiment_id TEXT NOT NULL REFERENCES experiment(id) ON DELETE CASCADE,
      step TEXT NOT NULL, attempt INTEGER NOT NULL, instrument TEXT NOT NULL, action TEXT NOT NULL,
      params TEXT NOT NULL, deadline INTEGER NOT NULL, status TEXT NOT NULL, result TEXT, error TEXT,
      sends INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL, finished_at INTEGER)`);
    await q.query(`CREATE UNIQUE INDEX command_experiment_step ON command (experiment_id, step, attempt)`);
    await q.query(`CREATE INDEX command_status ON command (status)`);
    await q.query(`CREATE TABLE observation (
      experiment_id TEXT PRIMARY KEY NOT NULL REFERENCES experiment(id) ON DELETE CASCADE,
      campaign_id TEXT NOT NULL REFERENCES campaign(id) ON DELETE CASCADE,
      "values" TEXT NOT NULL, created_at INTEGER NOT NULL)`);
    await q.query(`CREATE INDEX observation_campaign ON observation (campaign_id)`);
    await q.query(`CREATE TABLE event (
      id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, ts INTEGER NOT NULL, type TEXT NOT NULL,
      campaign_id TEXT, experiment_id TEXT, data TEXT NOT NULL)`);
    await q.query(`CREATE INDEX event_campaign ON event (campaign_id, id)`);
    await q.query(`CREATE TRIGGER event_no_update BEFORE UPDATE ON event
      BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END`);
    await q.query(`CREATE TRIGGER event_no_delete BEFORE DELETE ON event
      BEGIN SELECT RAISE(ABORT, 'the event log is append-only'); END`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['event', 'observation', 'command', 'experiment', 'campaign', 'document']) {
      await q.query(`DROP TABLE IF EXISTS ${t}`);
    }
  }
}
