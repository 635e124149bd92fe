import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An index on the event log by experiment: a campaign's events are those with its id or one of its experiments' ids,
 * and without this index that OR scanned the whole log (reports and the events endpoint slowed as it grew).
 */
export class EventByExperiment1767484800000 implements MigrationInterface {
  name = 'EventByExperiment1767484800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX event_experiment ON event (experiment_id, id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS event_experiment');
  }
}
