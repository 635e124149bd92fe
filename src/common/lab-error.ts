/**
 * Errors with a code. Every fault labloop raises is a LabError (or a subclass) carrying a typed code, a message a
 * lab engineer understands and, where it applies, the file, line and field. The API layer maps codes to HTTP
 * statuses; nothing compares error strings.
 */

export type LabErrorCode =
  | 'CONFIG_INVALID'
  | 'DOCUMENT_INVALID'
  | 'FILE_NOT_FOUND'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'ILLEGAL_TRANSITION'
  | 'LIMIT_EXCEEDED'
  | 'INSTRUMENT_UNKNOWN'
  | 'INSTRUMENT_OFFLINE'
  | 'INSTRUMENT_TIMEOUT'
  | 'INTERLOCK_TRIPPED'
  | 'STORE_UNAVAILABLE'
  | 'STRATEGY_FAILED'
  | 'SHUTTING_DOWN'
  | 'REQUEST_INVALID'
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'RATE_LIMITED'
  | 'DAEMON_UNREACHABLE';

/** One located problem in a file: `file:line:col: path: message`. */
export interface Problem {
  file: string;
  line?: number;
  col?: number;
  /** Dotted path of the offending field (`instruments.reactor.limits.temperature.max`), or '' for the whole file. */
  path: string;
  message: string;
}

export function formatProblem(p: Problem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.col ?? 1}`;
  return p.path ? `${where}: ${p.path}: ${p.message}` : `${where}: ${p.message}`;
}

export class LabError extends Error {
  constructor(
    readonly code: LabErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'LabError';
  }
}

/** A document (config, lab, protocol, campaign) failed validation; holds every problem found, not only the first. */
export class DocumentInvalidError extends LabError {
  constructor(
    readonly problems: Problem[],
    code: 'CONFIG_INVALID' | 'DOCUMENT_INVALID' = 'DOCUMENT_INVALID',
  ) {
    super(code, problems.map(formatProblem).join('\n'), problems[0]?.path);
    this.name = 'DocumentInvalidError';
  }
}

export function isLabError(e: unknown): e is LabError {
  return e instanceof LabError;
}

/** The message of anything thrown, for logs; never used for control flow. */
export function describeError(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
