/**
 * The global guard: every route, including those other modules add later, passes here. Routes that change state
 * (any method but GET/HEAD/OPTIONS, unless marked @ReadOnlyCall) need a token with the route's scope; a token that
 * lacks it is answered 403 and the attempt is written to the audit log.
 */
import { Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describeError, LabError } from '../common/lab-error.js';
import { Journal } from '../store/journal.service.js';
import { READ_ONLY_CALL, REQUIRED_SCOPE } from './access.decorators.js';
import { AccessPolicy, isSafeMethod, type AuthedRequest } from './access.policy.js';
import type { Scope } from './scopes.js';

export function isWriteCall(reflector: Reflector, ctx: ExecutionContext, method: string): boolean {
  const readOnly = reflector.getAllAndOverride<boolean | undefined>(READ_ONLY_CALL, [
    ctx.getHandler(),
    ctx.getClass(),
  ]);
  return !isSafeMethod(method) && readOnly !== true;
}

@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger('access');

  constructor(
    private readonly reflector: Reflector,
    private readonly policy: AccessPolicy,
    private readonly journal: Journal,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const write = isWriteCall(this.reflector, ctx, req.method);
    const scope =
      this.reflector.getAllAndOverride<Scope | undefined>(REQUIRED_SCOPE, [
        ctx.getHandler(),
        ctx.getClass(),
      ]) ?? 'operate';
    try {
      this.policy.authorize(req, { write, scope });
      return true;
    } catch (e) {
      if (write && e instanceof LabError && e.code === 'FORBIDDEN' && req.principal) this.auditDenied(req, e);
      throw e;
    }
  }

  private auditDenied(req: AuthedRequest, e: LabError): void {
    try {
      this.journal.write((tx) =>
        tx.event('audit.call', {
          actor: req.principal?.name ?? 'anonymous',
          method: req.method,
          route: routeOf(req),
          status: 403,
          error: e.message,
        }),
      );
    } catch (err) {
      this.logger.error(`cannot write the audit log: ${describeError(err)}`);
    }
  }
}

/** The route pattern (`/api/campaigns/:id/pause`), else the path. */
export function routeOf(req: AuthedRequest): string {
  const route = (req as { route?: { path?: unknown } }).route;
  return typeof route?.path === 'string' ? `${req.baseUrl}${route.path}` : req.path;
}
