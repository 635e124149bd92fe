/**
 * The SQLite file's settings and the native handle. TypeORM owns the connection (entities, migrations, API reads);
 * the engine's writes go through the same connection synchronously (see journal.service.ts), which is what makes a
 * step's records one atomic, durable transaction that no other code can interleave with.
 */
import type { Database } from 'better-sqlite3';
import type { DataSource } from 'typeorm';
import { LabError } from '../common/lab-error.js';

export const DATABASE_FILE = 'labloop.sqlite';
export const BUSY_TIMEOUT_MS = 5000;

export function nativeDatabase(ds: DataSource): Database {
  return (ds.driver as unknown as { databaseConnection: Database }).databaseConnection;
}

/** Run on the raw connection before TypeORM uses it. */
export function applyPragmas(db: Database): void {
  db.pragma('journal_mode = WAL');
  // FULL: a commit is on disk when it returns, so a kill -9 or power cut never loses an acknowledged intent.
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
}

/** Reads the settings back; a database that does not hold them is refused at boot. */
export function checkPragmas(db: Database): void {
  const journal = String(db.pragma('journal_mode', { simple: true })).toLowerCase();
  const synchronous = Number(db.pragma('synchronous', { simple: true }));
  const foreignKeys = Number(db.pragma('foreign_keys', { simple: true }));
  const busy = Number(db.pragma('busy_timeout', { simple: true }));
  const wrong: string[] = [];
  if (journal !== 'wal') wrong.push(`journal_mode is ${journal}, expected wal`);
  if (synchronous !== 2) wrong.push(`synchronous is ${synchronous}, expected 2 (FULL)`);
  if (foreignKeys !== 1) wrong.push('foreign_keys is off');
  if (!(busy > 0)) wrong.push('busy_timeout is 0');
  if (wrong.length > 0)
    throw new LabError('STORE_UNAVAILABLE', `database settings refused: ${wrong.join('; ')}`);
}

/** True when a write transaction can be opened right now. */
export function isWritable(db: Database): boolean {
  if (db.inTransaction) return true;
  try {
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return true;
  } catch {
    return false;
  }
}
