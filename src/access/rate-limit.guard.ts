/** The global rate limit: per client address, writes and reads counted apart (`auth.rateLimit`); 429 past it. */
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { LabError } from '../common/lab-error.js';
import { APP_CONFIG, type AppConfig } from '../config/config.schema.js';
import { NEVER_RATE_LIMITED } from './access.decorators.js';
import { isSafeMethod } from './access.policy.js';
import { RateLimiter } from './rate-limiter.js';

@Injectable()
export class RateLimitGuard implements CanActivate {
  private readonly limiter = new RateLimiter(60_000);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly reflector: Reflector,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    // An emergency stop is never turned away, however many calls came before it.
    if (this.reflector.get<boolean | undefined>(NEVER_RATE_LIMITED, ctx.getHandler())) return true;
    const req = ctx.switchToHttp().getRequest<Request>();
    const res = ctx.switchToHttp().getResponse<Response>();
    const kind = isSafeMethod(req.method) ? 'reads' : 'writes';
    const limit = this.config.auth.rateLimit[kind];
    const d = this.limiter.take(`${kind}:${req.socket.remoteAddress ?? '?'}`, limit);
    if (d.allowed) return true;
    res.setHeader('Retry-After', String(d.retryAfter));
    throw new LabError(
      'RATE_LIMITED',
      `more than ${limit} ${kind === 'reads' ? 'reads' : 'state-changing calls'} a minute from this address; retry in ${d.retryAfter} s`,
    );
  }
}
