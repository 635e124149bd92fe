/**
 * Where node-opcua's warnings and errors go. By default it prints them with console.log — onto stdout, where
 * `labloop sim` prints only its endpoints, and into Jest's console after a test has ended. Route them elsewhere.
 */
import { setErrorLogger, setWarningLogger } from 'node-opcua';

/** Sends node-opcua's warnings and errors to `write` (one line each); `undefined` drops the warnings. */
export function routeOpcuaLogs(write: ((line: string) => void) | undefined, errors = write): void {
  const format =
    (to: ((line: string) => void) | undefined) =>
    (context?: unknown, ...args: unknown[]): void => {
      if (!to) return;
      // The first argument is node-opcua's call site ({ filename, callerline }).
      const where = context !== null && typeof context === 'object' && 'filename' in context ? [] : [context];
      to(`node-opcua: ${[...where, ...args].map((a) => (typeof a === 'string' ? a : String(a))).join(' ')}`);
    };
  setWarningLogger(format(write));
  setErrorLogger(format(errors));
}
