/**
 * API tokens on the SQLite file: created by `labloop token create` (straight on the database, the daemon need not
 * run), verified by the daemon on every state-changing call. Only the SHA-256 of a token is stored: a token is 32
 * random bytes, so a fast hash is enough (there is nothing to brute-force), and the database never holds a secret.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { LabError } from '../common/lab-error.js';
import { SCOPES, type Scope } from './scopes.js';

export interface TokenRecord {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** Tokens look like `labloop_<43 base64url characters>`: the prefix lets secret scanners recognize them. */
export const TOKEN_PREFIX = 'labloop_';
/** last_used_at is refreshed at most this often, so reads do not turn into a write per request. */
const TOUCH_EVERY_MS = 60_000;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

type Row = Record<string, unknown>;

function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

function toToken(r: Row): TokenRecord {
  return {
    id: r['id'] as string,
    name: r['name'] as string,
    scopes: JSON.parse(r['scopes'] as string) as Scope[],
    createdAt: r['created_at'] as number,
    lastUsedAt: (r['last_used_at'] as number | null) ?? null,
    revokedAt: (r['revoked_at'] as number | null) ?? null,
  };
}

export class TokenStore {
  constructor(private readonly db: Database) {}

  /** Creates a token; the secret is returned once and only its hash is kept. */
  create(name: string, scopes: readonly Scope[], now: number): { secret: string; token: TokenRecord } {
    if (!NAME.test(name))
      throw new LabError(
        'REQUEST_INVALID',
        `token name "${name}": expected 1–64 letters, digits, . _ @ - (a person or a script)`,
        'name',
      );
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (unknown.length > 0 || scopes.length === 0)
      throw new LabError('REQUEST_INVALID', `scopes: expected some of ${SCOPES.join(', ')}`, 'scopes');
    const secret = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const id = randomUUID();
    const write = this.db.transaction(() => {
      const live = this.db.prepare('SELECT 1 FROM api_token WHERE name = ? AND revoked_at IS NULL').get(name);
      if (live) throw new LabError('CONFLICT', `a token named ${name} exists; revoke it first`, 'name');
      this.db
        .prepare('INSERT INTO api_token (id, name, hash, scopes, created_at) VALUES (?, ?, ?, ?, ?)')
        .run(id, name, hashToken(secret), JSON.stringify(scopes), now);
      this.audit(now, { name, change: 'created', scopes: [...scopes] });
    });
    write.immediate();
    return { secret, token: this.byId(id) };
  }

  /** The live token with this secret, if any (its last use is recorded). */
  verify(secret: string, now: number): TokenRecord | undefined {
    if (!secret.startsWith(TOKEN_PREFIX)) return undefined;
    const row = this.db
      .prepare('SELECT * FROM api_token WHERE hash = ? AND revoked_at IS NULL')
      .get(hashToken(secret)) as Row | undefined;
    if (!row) return undefined;
    const token = toToken(row);
    if (token.lastUsedAt === null || now - token.lastUsedAt > TOUCH_EVERY_MS) {
      this.db.prepare('UPDATE api_token SET last_used_at = ? WHERE id = ?').run(now, token.id);
    }
    return token;
  }

  list(): TokenRecord[] {
    return (this.db.prepare('SELECT * FROM api_token ORDER BY created_at, rowid').all() as Row[]).map(
      toToken,
    );
  }

  revoke(name: string, now: number): TokenRecord {
    const write = this.db.transaction(() => {
      const row = this.db
        .prepare('SELECT * FROM api_token WHERE name = ? AND revoked_at IS NULL')
        .get(name) as Row | undefined;
      if (!row) throw new LabError('NOT_FOUND', `no live token named ${name}`, 'name');
      const token = toToken(row);
      this.db.prepare('UPDATE api_token SET revoked_at = ? WHERE id = ?').run(now, token.id);
      this.audit(now, { name, change: 'revoked', scopes: token.scopes });
      return token.id;
    });
    return this.byId(write.immediate());
  }

  private byId(id: string): TokenRecord {
    return toToken(this.db.prepare('SELECT * FROM api_token WHERE id = ?').get(id) as Row);
  }

  /** Token changes go to the append-only event log like every other state change (the audit trail). */
  private audit(now: number, data: { name: string; change: 'created' | 'revoked'; scopes: string[] }): void {
    this.db
      .prepare('INSERT INTO event (ts, type, campaign_id, experiment_id, data) VALUES (?, ?, NULL, NULL, ?)')
      .run(now, 'token.changed', JSON.stringify(data));
  }
}
