/** Runs the built `labloop` command as a child process, as a user would (needs `npm run build` first). */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const LABLOOP_BIN = resolve('bin/labloop.js');

export interface LabloopProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal that ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function labloop(args: string[], env: Record<string, string> = {}): LabloopProcess {
  if (!existsSync(resolve('dist/src/cli/main.js')))
    throw new Error('dist/ is missing: run `npm run build` before the e2e tests');
  let out = '';
  let err = '';
  const child = spawn(process.execPath, [LABLOOP_BIN, ...args], {
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((r) =>
    child.once('exit', (code, signal) => r({ code, signal })),
  );
  return { child, stdout: () => out, stderr: () => err, exited };
}
