/**
 * Manual steps in `labloop run` (which serves no API): the terminal asks the operator, one prompt at a time, and
 * journals the answer — Enter when done, or "no" and a reason when it could not be done. Without a terminal the run
 * says what it waits for; the step then ends at its timeout, through its failure policy.
 */
import { createInterface } from 'node:readline';
import type { EventBus } from '../events/event-bus.service.js';
import type { ManualSteps } from '../execution/manual-steps.service.js';
import { describeError } from '../common/lab-error.js';

export interface OperatorTerminal {
  input: NodeJS.ReadableStream & { isTTY?: boolean };
  output: NodeJS.WritableStream;
  /** Writes around whatever else draws on the terminal (the progress bar). */
  around?: (write: () => void) => void;
}

/** Starts answering manual steps from the terminal; returns the function that stops it. */
export function promptOperator(bus: EventBus, manual: ManualSteps, t: OperatorTerminal): () => void {
  const write = (text: string): void => (t.around ?? ((w: () => void) => w()))(() => t.output.write(text));
  let queue = Promise.resolve();
  let closed = false;
  const rl = t.input.isTTY
    ? createInterface({ input: t.input, output: t.output, terminal: false })
    : undefined;
  const ask = (question: string): Promise<string> =>
    new Promise((resolve) => {
      write(question);
      rl?.once('line', resolve);
    });
  const off = bus.on('step.manual', (d) => {
    if (!rl) {
      write(
        `operator needed: ${d.prompt} (experiment ${d.experimentId}, step ${d.key}); no terminal to confirm on — run the campaign with labloop start and answer with labloop confirm\n`,
      );
      return;
    }
    queue = queue.then(async () => {
      if (closed) return;
      const answer = (await ask(`\noperator: ${d.prompt}\n  Enter when done, or "no <reason>": `)).trim();
      if (closed) return;
      const failed = /^no\b/i.test(answer);
      const note = failed ? answer.replace(/^no\b\s*/i, '') : answer;
      try {
        manual.confirm(d.experimentId, d.key, { ok: !failed, by: 'terminal', ...(note ? { note } : {}) });
      } catch (e) {
        write(`labloop: ${describeError(e)}\n`);
      }
    });
  });
  return () => {
    closed = true;
    off();
    rl?.close();
  };
}
