/**
 * node-opcua writes its own warnings straight to the console (stdout), which would corrupt `labloop run --json`
 * and bypass the daemon's log settings. Its loggers are routed into labloop's log here, once, on import: its errors
 * as warnings, its warnings (chatty: every reconnection, every endpoint mismatch) as debug lines. The driver reports
 * what matters — link, refused certificates, failed operations — itself.
 */
import { Logger } from '@nestjs/common';
import { setDebugLogger, setErrorLogger, setWarningLogger } from 'node-opcua';

const logger = new Logger('node-opcua');

const text = (args: unknown[]): string =>
  args
    .map((a) =>
      typeof a === 'string' ? a : a instanceof Error ? a.message : (JSON.stringify(a) ?? String(a)),
    )
    .join(' ')
    .trim();

setErrorLogger((_context: unknown, ...args: unknown[]) => logger.warn(text(args)));
setWarningLogger((_context: unknown, ...args: unknown[]) => logger.debug(text(args)));
setDebugLogger(() => undefined);
