/**
 * A child process spoken to line by line over stdin/stdout, for command-line protocols such as `labloop optimize`
 * and the Python example strategy: `next()` waits for the next stdout line, with a timeout.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface LineProcess {
  child: ChildProcess;
  send(line: string): void;
  end(): void;
  /** The next line of standard output; rejects after `timeoutMs` or when output ends. */
  next(timeoutMs?: number): Promise<string>;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function lineProcess(command: string, args: string[], env: Record<string, string> = {}): LineProcess {
  const child = spawn(command, args, {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const queue: string[] = [];
  const waiters: ((line: string | undefined) => void)[] = [];
  let closed = false;
  createInterface({ input: child.stdout })
    .on('line', (line) => {
      const w = waiters.shift();
      if (w) w(line);
      else queue.push(line);
    })
    .on('close', () => {
      closed = true;
      for (const w of waiters.splice(0)) w(undefined);
    });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  return {
    child,
    send: (line) => child.stdin.write(`${line}\n`),
    end: () => child.stdin.end(),
    stderr: () => err,
    exited,
    next(timeoutMs = 30_000) {
      const ready = queue.shift();
      if (ready !== undefined) return Promise.resolve(ready);
      if (closed) return Promise.reject(new Error(`output ended; stderr: ${err}`));
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no line within ${timeoutMs} ms; stderr: ${err}`)),
          timeoutMs,
        );
        waiters.push((line) => {
          clearTimeout(timer);
          if (line === undefined) reject(new Error(`output ended; stderr: ${err}`));
          else resolve(line);
        });
      });
    },
  };
}
