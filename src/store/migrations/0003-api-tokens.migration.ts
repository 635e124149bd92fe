import type { MigrationInterface, QueryRunner } from 'typeorm';

/** API tokens, stored as SHA-256 hashes of the secret (the secret itself is shown once and never stored). */
export class ApiTokens1767225600000 implements MigrationInterface {
  name = 'ApiTokens1767225600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE api_token (
      id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, scopes TEXT NOT NULL,
      created_at INTEGER NOT NULL, last_used_at INTEGER, revoked_at INTEGER)`);
    await q.query(`CREATE UNIQUE INDEX api_token_live_name ON api_token (name) WHERE revoked_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE IF EXISTS api_token');
  }
}
