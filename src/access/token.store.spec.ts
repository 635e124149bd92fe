import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { MIGRATIONS } from '../store/migrations/index.js';
import { nativeDatabase } from '../store/sqlite-connection.js';
import { grants } from './scopes.js';
import { TOKEN_PREFIX, TokenStore } from './token.store.js';
import { isLoopbackAddress } from './access.policy.js';

/** The LabError `fn` throws, for matching its code and field. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected a throw');
}

describe('TokenStore', () => {
  let ds: DataSource;
  let store: TokenStore;

  beforeEach(async () => {
    ds = new DataSource({
      type: 'better-sqlite3',
      database: ':memory:',
      migrations: MIGRATIONS,
      logging: false,
    });
    await ds.initialize();
    await ds.runMigrations();
    store = new TokenStore(nativeDatabase(ds));
  });
  afterEach(() => ds.destroy());

  it('returns the secret once and stores only its hash', () => {
    const { secret, token } = store.create('alice', ['operate'], 1000);
    expect(secret.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(token).toMatchObject({ name: 'alice', scopes: ['operate'], createdAt: 1000, revokedAt: null });
    const rows = nativeDatabase(ds).prepare('SELECT * FROM api_token').all();
    expect(JSON.stringify(rows)).not.toContain(secret.slice(TOKEN_PREFIX.length));
    expect(store.verify(secret, 2000)).toMatchObject({ name: 'alice' });
    expect(store.verify(`${secret}x`, 2000)).toBeUndefined();
    expect(store.verify('Bearer nonsense', 2000)).toBeUndefined();
  });

  it('records token changes in the append-only event log', () => {
    store.create('bob', ['read'], 1);
    store.revoke('bob', 2);
    const events = nativeDatabase(ds)
      .prepare("SELECT type, data FROM event WHERE type = 'token.changed'")
      .all();
    expect(events.map((e) => JSON.parse((e as { data: string }).data) as unknown)).toEqual([
      { name: 'bob', change: 'created', scopes: ['read'] },
      { name: 'bob', change: 'revoked', scopes: ['read'] },
    ]);
  });

  it('refuses duplicates, bad names and unknown scopes; a revoked name can be reused', () => {
    const first = store.create('ci', ['admin'], 1);
    expect(thrown(() => store.create('ci', ['admin'], 2))).toMatchObject({ code: 'CONFLICT' });
    expect(thrown(() => store.create('has space', ['read'], 2))).toMatchObject({
      code: 'REQUEST_INVALID',
      field: 'name',
    });
    expect(thrown(() => store.create('x', ['root' as never], 2))).toMatchObject({ field: 'scopes' });
    store.revoke('ci', 3);
    expect(store.verify(first.secret, 4)).toBeUndefined();
    expect(store.create('ci', ['read'], 5).token.scopes).toEqual(['read']);
    expect(thrown(() => store.revoke('nobody', 6))).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('scopes and addresses', () => {
  it('nests scopes: admin ⊇ operate ⊇ read', () => {
    expect(grants(['admin'], 'operate')).toBe(true);
    expect(grants(['operate'], 'read')).toBe(true);
    expect(grants(['read'], 'operate')).toBe(false);
    expect(grants([], 'read')).toBe(false);
  });

  it('treats only 127/8 and ::1 (also IPv4-mapped) as loopback', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1'])
      expect(isLoopbackAddress(a)).toBe(true);
    for (const a of ['10.0.0.1', '::ffff:192.168.1.2', '1127.0.0.1', '', undefined])
      expect(isLoopbackAddress(a)).toBe(false);
  });
});
