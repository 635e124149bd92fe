/**
 * Signals: the first SIGTERM or SIGINT drains (no new commands; running ones finish or time out) and exits 0;
 * a second one exits at once, leaving the crash journal to the next start.
 */
import type { INestApplicationContext, LoggerService } from '@nestjs/common';

export function exitOnSignals(app: INestApplicationContext, logger: LoggerService): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn(`${signal} again: exiting now; the next start resumes from the journal`, 'daemon');
      process.exit(1);
    }
    stopping = true;
    logger.log(`${signal}: draining (running commands finish, nothing new starts)`, 'daemon');
    app.close().then(
      () => process.exit(0),
      (e: unknown) => {
        logger.error(`shutdown failed: ${e instanceof Error ? e.message : String(e)}`, 'daemon');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
