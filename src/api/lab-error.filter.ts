/** Turns errors into JSON at the HTTP edge: `{ error: { code, message, field } }`, the status from the code. */
import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { DocumentInvalidError, describeError, LabError, type LabErrorCode } from '../common/lab-error.js';

const STATUS: Record<LabErrorCode, number> = {
  CONFIG_INVALID: 400,
  DOCUMENT_INVALID: 400,
  FILE_NOT_FOUND: 404,
  NOT_FOUND: 404,
  CONFLICT: 409,
  ILLEGAL_TRANSITION: 409,
  LIMIT_EXCEEDED: 422,
  INSTRUMENT_UNKNOWN: 404,
  INSTRUMENT_OFFLINE: 503,
  INSTRUMENT_TIMEOUT: 504,
  INTERLOCK_TRIPPED: 409,
  STORE_UNAVAILABLE: 503,
  STRATEGY_FAILED: 500,
  SHUTTING_DOWN: 503,
  REQUEST_INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  RATE_LIMITED: 429,
  DAEMON_UNREACHABLE: 502,
};

/** The HTTP status an error leaves with (the audit log records it too). */
export function httpStatusOf(e: unknown): number {
  if (e instanceof LabError) return STATUS[e.code];
  if (e instanceof HttpException) return e.getStatus();
  return 500;
}

@Catch()
export class LabErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('api');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof LabError) {
      const problems = exception instanceof DocumentInvalidError ? { problems: exception.problems } : {};
      res.status(STATUS[exception.code]).json({
        error: {
          code: exception.code,
          message: exception.message,
          field: exception.field ?? null,
          ...problems,
        },
      });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      res.status(status).json({ error: { code: httpCode(status), message: exception.message, field: null } });
      return;
    }
    this.logger.error(describeError(exception));
    res
      .status(500)
      .json({ error: { code: 'INTERNAL', message: 'internal error; see the daemon log', field: null } });
  }
}

function httpCode(status: number): string {
  if (status === 404) return 'NOT_FOUND';
  if (status === 400) return 'BAD_REQUEST';
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 429) return 'RATE_LIMITED';
  return `HTTP_${status}`;
}
