/**
 * `labloop interlock list` — every interlock of the running daemon: armed, pending or tripped, since when, why —
 * and `labloop interlock reset <name>` — clears a tripped one once its condition has cleared (the daemon refuses
 * while it holds). A reset never resumes a campaign: `labloop campaign resume` does, once every interlock is clear.
 * Exit codes: 0 done, 1 refused or unknown, 3 daemon unreachable.
 */
import type { Command } from 'commander';
import type { InterlockView } from '../lab/interlock-monitor.service.js';
import { EXIT } from './cli-errors.js';
import { DaemonClient, type ClientOptions } from './daemon-client.js';

export interface InterlockOptions extends ClientOptions {
  json?: boolean;
}

export interface ResetOptions extends InterlockOptions {
  lab?: string;
  reason?: string;
}

export async function interlockList(
  o: InterlockOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const list = await DaemonClient.from(o).json<InterlockView[]>('/api/interlocks');
  if (o.json) out.write(`${JSON.stringify(list)}\n`);
  else if (list.length === 0) out.write('no interlocks (no lab with interlocks is loaded)\n');
  else for (const v of list) out.write(`${formatInterlock(v)}\n`);
  return list.some((v) => v.state === 'tripped') ? EXIT.held : EXIT.ok;
}

export async function interlockReset(
  name: string,
  o: ResetOptions,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  const v = await DaemonClient.from(o).json<InterlockView>(
    `/api/interlocks/${encodeURIComponent(name)}/reset`,
    {
      method: 'POST',
      body: { ...(o.lab ? { lab: o.lab } : {}), ...(o.reason ? { reason: o.reason } : {}) },
    },
  );
  if (o.json) out.write(`${JSON.stringify(v)}\n`);
  else
    out.write(
      `interlock ${v.name} (lab ${v.lab}) reset: ${v.state}; held campaigns stay held until \`labloop campaign resume\`\n`,
    );
  return EXIT.ok;
}

export function formatInterlock(v: InterlockView): string {
  const since = v.since ? ` since ${v.since}` : '';
  return `${v.lab}/${v.name}  ${v.state.toUpperCase()}${since}  when ${v.when} → ${v.then ?? '?'}  (${v.detail})`;
}

const URL_HELP = 'daemon URL (default: LABLOOP_URL, else the http host and port of the settings)';

export function registerInterlockCommands(program: Command): void {
  const interlock = program
    .command('interlock')
    .description(
      'interlocks of the running daemon: list them, reset a tripped one (reset needs LABLOOP_TOKEN)',
    );
  interlock
    .command('list')
    .description('every interlock: armed, pending or tripped, since when, why (exit 2 if one is tripped)')
    .option('--url <url>', URL_HELP)
    .option('--config <file>', 'settings file (for the daemon address)')
    .option('--json', 'machine-readable output')
    .action(async (o: InterlockOptions) => {
      process.exitCode = await interlockList(o);
    });
  interlock
    .command('reset <name>')
    .description('reset a tripped interlock once its condition has cleared; campaigns stay held')
    .option('--lab <lab>', 'the lab, when several labs have an interlock of that name')
    .option('--reason <text>', 'why: written to the journal and the audit log')
    .option('--url <url>', URL_HELP)
    .option('--config <file>', 'settings file (for the daemon address)')
    .option('--json', 'print the interlock afterwards as JSON')
    .action(async (name: string, o: ResetOptions) => {
      process.exitCode = await interlockReset(name, o);
    });
}
