/**
 * `labloop token create|list|revoke`: API tokens, written straight to the database (the daemon need not run; the
 * schema is brought up to date first). A new token is printed once, on stdout; only its hash is stored.
 */
import 'reflect-metadata';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { TokenStore, type TokenRecord } from '../access/token.store.js';
import { parseScopes, SCOPES } from '../access/scopes.js';
import { loadConfig } from '../config/config.loader.js';
import { MIGRATIONS } from '../store/migrations/index.js';
import { applyPragmas, BUSY_TIMEOUT_MS, DATABASE_FILE, nativeDatabase } from '../store/sqlite-connection.js';
import { mkdirSync } from 'node:fs';

export interface TokenOptions {
  config?: string;
  dataDir?: string;
}

async function withTokens<T>(o: TokenOptions, fn: (tokens: TokenStore) => T): Promise<T> {
  const config = loadConfig({ configPath: o.config, overrides: { dataDir: o.dataDir } });
  mkdirSync(config.dataDir, { recursive: true });
  const ds = new DataSource({
    type: 'better-sqlite3',
    database: join(config.dataDir, DATABASE_FILE),
    migrations: MIGRATIONS,
    timeout: BUSY_TIMEOUT_MS,
    prepareDatabase: applyPragmas,
    logging: false,
  });
  await ds.initialize();
  try {
    await ds.runMigrations();
    return fn(new TokenStore(nativeDatabase(ds)));
  } finally {
    await ds.destroy();
  }
}

export async function tokenCreate(
  name: string,
  o: TokenOptions & { scope: string },
  out = process.stdout,
  err = process.stderr,
): Promise<number> {
  const { secret, token } = await withTokens(o, (t) => t.create(name, parseScopes(o.scope), Date.now()));
  out.write(`${secret}\n`);
  err.write(
    `token "${token.name}" created with scopes ${token.scopes.join(', ')}. It is shown only this once; store it now.\n` +
      `Use it as: export LABLOOP_TOKEN=<token>   (or the header Authorization: Bearer <token>)\n`,
  );
  return 0;
}

export async function tokenList(o: TokenOptions & { json?: boolean }, out = process.stdout): Promise<number> {
  const tokens = await withTokens(o, (t) => t.list());
  if (o.json) {
    out.write(`${JSON.stringify(tokens, null, 2)}\n`);
    return 0;
  }
  const iso = (t: number | null): string =>
    t === null ? '-' : new Date(t).toISOString().slice(0, 19).replace('T', ' ');
  const row = (t: TokenRecord): string =>
    `${t.name.padEnd(20)} ${t.scopes.join(',').padEnd(14)} ${iso(t.createdAt).padEnd(20)} ${iso(t.lastUsedAt).padEnd(20)} ${t.revokedAt === null ? 'live' : `revoked ${iso(t.revokedAt)}`}`;
  out.write(
    `${'name'.padEnd(20)} ${'scopes'.padEnd(14)} ${'created'.padEnd(20)} ${'last used'.padEnd(20)} state\n`,
  );
  for (const t of tokens) out.write(`${row(t)}\n`);
  return 0;
}

export async function tokenRevoke(name: string, o: TokenOptions, out = process.stdout): Promise<number> {
  await withTokens(o, (t) => t.revoke(name, Date.now()));
  out.write(`token "${name}" revoked\n`);
  return 0;
}

export const SCOPE_HELP = `comma-separated, of ${SCOPES.join(', ')} (admin ⊇ operate ⊇ read)`;
