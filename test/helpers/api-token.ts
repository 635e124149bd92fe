/** API tokens for tests: created on the app's own database, as `labloop token create` would. */
import type { INestApplication } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Scope } from '../../src/access/scopes.js';
import { TokenStore } from '../../src/access/token.store.js';
import { nativeDatabase } from '../../src/store/sqlite-connection.js';

export function createToken(app: INestApplication, name: string, scopes: Scope[] = ['operate']): string {
  return new TokenStore(nativeDatabase(app.get(DataSource))).create(name, scopes, Date.now()).secret;
}

export function revokeToken(app: INestApplication, name: string): void {
  new TokenStore(nativeDatabase(app.get(DataSource))).revoke(name, Date.now());
}

/** fetch with an optional bearer token and JSON body; returns status and parsed body. */
export async function call(
  url: string,
  o: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked with expect()
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(url, {
    method: o.method ?? 'GET',
    headers: {
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
      ...(o.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...o.headers,
    },
    body: o.body === undefined ? undefined : JSON.stringify(o.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body, headers: res.headers };
}
