/**
 * The daemon's log: one line per entry, human text or JSON (`log.format`), filtered by level, on the stream the
 * process mode asks for (stdout for the daemon; stderr for commands whose stdout carries results).
 */
import type { LoggerService } from '@nestjs/common';
import type { Writable } from 'node:stream';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
/** Nest's own start-up lines: useful when debugging, noise otherwise. */
const NEST_CHATTER = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

export interface LabLoggerOptions {
  level: LogLevel;
  format: 'text' | 'json';
  stream: Writable;
  /** Called before and after each line, e.g. to clear and redraw a progress bar. */
  around?: (write: () => void) => void;
}

export class LabLogger implements LoggerService {
  constructor(private readonly o: LabLoggerOptions) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }

  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }

  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }

  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }

  private write(requested: LogLevel, message: unknown, rest: unknown[]): void {
    // Nest passes the context (logger name) last; an error's stack comes before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : 'labloop';
    const level = requested === 'info' && NEST_CHATTER.has(context) ? 'debug' : requested;
    if (RANK[level] < RANK[this.o.level]) return;
    const text =
      message instanceof Error
        ? message.message
        : typeof message === 'string'
          ? message
          : JSON.stringify(message);
    const time = new Date().toISOString();
    const line =
      this.o.format === 'json'
        ? JSON.stringify({ time, level, context, msg: text })
        : `${time.slice(11, 23)} ${level.toUpperCase().padEnd(5)} [${context}] ${text}`;
    const emit = (): void => void this.o.stream.write(`${line}\n`);
    if (this.o.around) this.o.around(emit);
    else emit();
  }
}
