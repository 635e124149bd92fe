/**
 * Who may call what. Reads are open to loopback clients unless `auth.read: token`; everything that changes state
 * needs a token holding the route's scope. Used by the global guard and by the middleware in front of the routes
 * Nest does not own (the OpenAPI page), so both answer alike.
 */
import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../common/clock.js';
import { LabError } from '../common/lab-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.schema.js';
import { nativeDatabase } from '../store/sqlite-connection.js';
import { grants, type Scope } from './scopes.js';
import { TokenStore, type TokenRecord } from './token.store.js';

export interface Principal {
  name: string;
  scopes: Scope[];
}

export type AuthedRequest = Request & { principal?: Principal };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/** 127.0.0.0/8 and ::1, also as IPv4-mapped IPv6. Forwarded headers are never trusted. */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a);
}

@Injectable()
export class AccessPolicy {
  private readonly logger = new Logger('access');
  private readonly tokens: TokenStore;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @InjectDataSource() dataSource: DataSource,
  ) {
    this.tokens = new TokenStore(nativeDatabase(dataSource));
  }

  /** Decides a request; throws UNAUTHORIZED or FORBIDDEN, else returns who called (if a token was given). */
  authorize(req: AuthedRequest, o: { write: boolean; scope: Scope }): Principal | undefined {
    const secret = bearerToken(req);
    const openRead =
      !o.write && this.config.auth.read === 'loopback' && isLoopbackAddress(req.socket.remoteAddress);
    if (openRead) {
      // Open anyway; a valid token still names the caller (the dashboard shows who is signed in).
      const token = secret === undefined ? undefined : this.verify(secret);
      if (token) req.principal = { name: token.name, scopes: token.scopes };
      return req.principal;
    }
    const needed: Scope = o.write ? o.scope : 'read';
    if (secret === undefined) {
      throw new LabError(
        'UNAUTHORIZED',
        o.write
          ? 'this call changes the lab and needs an API token (Authorization: Bearer <token>); create one with `labloop token create <name>`'
          : 'reads need an API token here (auth.read is token, or the client is not on loopback)',
        'authorization',
      );
    }
    const token = this.verify(secret);
    if (!token) {
      this.logger.warn(`refused an unknown or revoked token from ${req.socket.remoteAddress ?? '?'}`);
      throw new LabError('UNAUTHORIZED', 'the API token is unknown or revoked', 'authorization');
    }
    const principal = { name: token.name, scopes: token.scopes };
    req.principal = principal;
    if (!grants(token.scopes, needed)) {
      throw new LabError(
        'FORBIDDEN',
        `token ${token.name} (scopes: ${token.scopes.join(', ')}) lacks the ${needed} scope`,
        'authorization',
      );
    }
    return principal;
  }

  verify(secret: string): TokenRecord | undefined {
    return this.tokens.verify(secret, this.clock.now());
  }
}

/** `Authorization: Bearer <token>`; on reads also `?access_token=` (EventSource cannot send headers). */
export function bearerToken(req: Request): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (m) return m[1];
  }
  if (isSafeMethod(req.method)) {
    const q: unknown = (req.query as Record<string, unknown> | undefined)?.['access_token'];
    if (typeof q === 'string' && q !== '') return q;
  }
  return undefined;
}
