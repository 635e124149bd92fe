/**
 * The audit log: every state-changing call that passed the guard is journaled as `audit.call` once it has an
 * outcome — who (the token's name), when (the event's time), what (method, route, target), why (`reason` in the
 * body or the X-Labloop-Reason header) and the status it ended with. A call the audit cannot record still answers;
 * the failure is logged.
 */
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import {
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { catchError, tap, throwError, type Observable } from 'rxjs';
import { describeError } from '../common/lab-error.js';
import type { EventMap } from '../events/event-map.js';
import { httpStatusOf } from '../api/lab-error.filter.js';
import { Journal } from '../store/journal.service.js';
import { isWriteCall, routeOf } from './access.guard.js';
import type { AuthedRequest } from './access.policy.js';

const MAX_REASON = 500;

@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('audit');

  constructor(
    private readonly reflector: Reflector,
    private readonly journal: Journal,
  ) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (ctx.getType() !== 'http') return next.handle();
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    if (!isWriteCall(this.reflector, ctx, req.method)) return next.handle();
    // Nest sets the status after interceptors: read what it will set (@HttpCode, else 201 for POST, else 200).
    const code = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, ctx.getHandler());
    const status = code ?? (req.method === 'POST' ? 201 : 200);
    return next.handle().pipe(
      tap((body) => this.record(req, status, undefined, body)),
      catchError((err: unknown) => {
        this.record(req, httpStatusOf(err), describeError(err));
        return throwError(() => err);
      }),
    );
  }

  private record(req: AuthedRequest, status: number, error?: string, body?: unknown): void {
    const params = req.params as Record<string, string | undefined>;
    const route = routeOf(req);
    const target = params['id'] ?? Object.values(params).find((v) => typeof v === 'string');
    const created = (body as { id?: unknown } | undefined)?.id;
    const campaignId = route.startsWith('/api/campaigns')
      ? (params['id'] ?? (typeof created === 'string' ? created : undefined))
      : undefined;
    const reason = reasonOf(req);
    const entry: EventMap['audit.call'] = {
      actor: req.principal?.name ?? 'anonymous',
      method: req.method,
      route,
      status,
      ...(target ? { target } : {}),
      ...(reason ? { reason } : {}),
      ...(error ? { error } : {}),
      ...(campaignId ? { campaignId } : {}),
    };
    try {
      this.journal.write((tx) => tx.event('audit.call', entry));
    } catch (e) {
      this.logger.error(`cannot write the audit log for ${req.method} ${route}: ${describeError(e)}`);
    }
  }
}

export function reasonOf(req: AuthedRequest): string | undefined {
  const fromBody = (req.body as { reason?: unknown } | undefined)?.reason;
  const header = req.headers['x-labloop-reason'];
  const reason = typeof fromBody === 'string' ? fromBody : typeof header === 'string' ? header : undefined;
  return reason?.trim().slice(0, MAX_REASON) || undefined;
}
