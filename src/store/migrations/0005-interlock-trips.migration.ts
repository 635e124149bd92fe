import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Interlock trips (issue 6): a trip is latched until a person resets it, across restarts. One row per trip; the
 * latched ones are those with no `reset_at`. At most one latched trip per interlock of a lab.
 */
export class InterlockTrips1767398400000 implements MigrationInterface {
  name = 'InterlockTrips1767398400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE interlock_trip (
      id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, lab TEXT NOT NULL, condition TEXT NOT NULL,
      action TEXT NOT NULL, detail TEXT NOT NULL, tripped_at INTEGER NOT NULL, reset_at INTEGER, reset_by TEXT)`);
    await q.query(
      `CREATE UNIQUE INDEX interlock_trip_latched ON interlock_trip (lab, name) WHERE reset_at IS NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS interlock_trip');
  }
}
