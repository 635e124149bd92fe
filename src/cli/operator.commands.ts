/** The commands that talk to a running daemon (status, watch, campaign, export, report) and manage tokens. */
import type { Command } from 'commander';
import { CAMPAIGN_ACTIONS, campaignCommand } from './campaign.command.js';
import { exportCommand, reportCommand } from './export.command.js';
import { statusCommand } from './status.command.js';
import { SCOPE_HELP, tokenCreate, tokenList, tokenRevoke } from './token.command.js';
import { watchCommand } from './watch.command.js';

const URL_HELP = 'daemon URL (default: LABLOOP_URL, else the http host and port of the settings)';

export function registerOperatorCommands(program: Command): void {
  program
    .command('status')
    .description('the running daemon: health, instruments, campaigns')
    .option('--url <url>', URL_HELP)
    .option('--config <file>', 'settings file (for the daemon address)')
    .option('--json', 'machine-readable output')
    .action(async (o: { url?: string; config?: string; json?: boolean }) => {
      process.exitCode = await statusCommand(o);
    });

  program
    .command('watch <campaign>')
    .description('live progress with the best so far; exits 0 completed, 2 held, 3 aborted')
    .option('--url <url>', URL_HELP)
    .option('--config <file>', 'settings file (for the daemon address)')
    .action(async (ref: string, o: { url?: string; config?: string }) => {
      process.exitCode = await watchCommand(ref, o);
    });

  const campaign = program
    .command('campaign')
    .description('steer a campaign on the running daemon (needs LABLOOP_TOKEN)');
  for (const action of CAMPAIGN_ACTIONS) {
    campaign
      .command(`${action} <campaign>`)
      .description(`${action} a campaign (by id, id prefix or name)`)
      .option('--reason <text>', 'why: written to the campaign and the audit log')
      .option('--url <url>', URL_HELP)
      .option('--config <file>', 'settings file (for the daemon address)')
      .option('--json', 'print the campaign afterwards as JSON')
      .action(async (ref: string, o: { reason?: string; url?: string; config?: string; json?: boolean }) => {
        process.exitCode = await campaignCommand(action, ref, o);
      });
  }

  program
    .command('export <campaign>')
    .description('export a campaign: csv, json or ro-crate (a zip for research data platforms)')
    .option('--format <format>', 'csv | json | ro-crate', 'csv')
    .option('--out <file>', 'output file, or - for stdout (default: <name>.<ext>)')
    .option('--url <url>', URL_HELP)
    .option('--config <file>', 'settings file (for the daemon address)')
    .action(async (ref: string, o: { format: string; out?: string; url?: string; config?: string }) => {
      process.exitCode = await exportCommand(ref, o);
    });

  program
    .command('report <campaign>')
    .description('write the methods-and-results report: report.html (self-contained), report.md, figures/')
    .option('--out <dir>', 'output folder (default: <name>-report)')
    .option('--url <url>', URL_HELP)
    .option('--config <file>', 'settings file (for the daemon address)')
    .action(async (ref: string, o: { out?: string; url?: string; config?: string }) => {
      process.exitCode = await reportCommand(ref, o);
    });

  const token = program.command('token').description('API tokens, written to the database directly');
  token
    .command('create <name>')
    .description('create a token and print it once (only its hash is stored)')
    .option('--scope <scopes>', SCOPE_HELP, 'operate')
    .option('--config <file>', 'settings file')
    .option('--data-dir <dir>', 'folder of labloop.sqlite')
    .action(async (name: string, o: { scope: string; config?: string; dataDir?: string }) => {
      process.exitCode = await tokenCreate(name, o);
    });
  token
    .command('list')
    .description('tokens with their scopes and last use (never the secret)')
    .option('--config <file>', 'settings file')
    .option('--data-dir <dir>', 'folder of labloop.sqlite')
    .option('--json', 'machine-readable output')
    .action(async (o: { config?: string; dataDir?: string; json?: boolean }) => {
      process.exitCode = await tokenList(o);
    });
  token
    .command('revoke <name>')
    .description('revoke a token at once')
    .option('--config <file>', 'settings file')
    .option('--data-dir <dir>', 'folder of labloop.sqlite')
    .action(async (name: string, o: { config?: string; dataDir?: string }) => {
      process.exitCode = await tokenRevoke(name, o);
    });
}
