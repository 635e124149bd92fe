/** How the CLI reports failures: located problems for bad input (no stack trace), a one-line reason for faults. */
import { DocumentInvalidError, formatProblem, isLabError } from '../common/lab-error.js';

export const EXIT = { ok: 0, badInput: 1, held: 2, failed: 3 } as const;

export function reportError(e: unknown, stream: NodeJS.WritableStream = process.stderr): number {
  if (e instanceof DocumentInvalidError) {
    for (const p of e.problems) stream.write(`${formatProblem(p)}\n`);
    const n = e.problems.length;
    stream.write(`${n} problem${n === 1 ? '' : 's'} found; nothing was started\n`);
    return EXIT.badInput;
  }
  if (isLabError(e)) {
    stream.write(`labloop: ${e.message}\n`);
    // Not the caller's input: the daemon is down or refused (a fault, not bad input).
    return e.code === 'DAEMON_UNREACHABLE' ? EXIT.failed : EXIT.badInput;
  }
  stream.write(`labloop: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  return EXIT.failed;
}
