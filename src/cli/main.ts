/** The `labloop` command line. Each command lives in its own file; this one parses arguments and maps exits. */
import 'reflect-metadata';
import { Command, InvalidArgumentError } from 'commander';
import { packageVersion } from '../common/package-root.js';
import { reportError } from './cli-errors.js';
import { registerOperatorCommands } from './operator.commands.js';
import { registerInterlockCommands } from './interlock.commands.js';
import { optimizeCommand } from './optimize.command.js';
import { doCommand, estopCommand, type DoOptions, type EstopOptions } from './instrument.commands.js';
import { runCommand } from './run.command.js';
import { confirmCommand, type ConfirmOptions } from './confirm.command.js';
import { planCommand, type PlanOptions } from './plan.command.js';
import { schemaCommand } from './schema.command.js';
import type { SimOptions } from './sim.command.js';
import { startCommand } from './start.command.js';
import { validateCommand } from './validate.command.js';

function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('expected a whole number');
  return n;
}

function jsonObject(value: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw new InvalidArgumentError('expected a JSON object');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new InvalidArgumentError('expected a JSON object');
  return parsed as Record<string, unknown>;
}

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('expected a port number 0–65535');
  return n;
}

export function buildProgram(): Command {
  const program = new Command('labloop')
    .description('Control daemon for self-driving labs')
    .version(packageVersion())
    .showHelpAfterError();

  program
    .command('start')
    .description('run the daemon: HTTP API, MQTT broker, simulators, campaigns')
    .option('--config <file>', 'settings file (default: ./config/default.yaml)')
    .option('--data-dir <dir>', 'folder for labloop.sqlite (default: ./data)')
    .option('--port <n>', 'HTTP port', port)
    .option('--clock <mode>', 'lab time: real, scaled or virtual')
    .option('--time-scale <n>', 'lab time runs n times faster than wall time', positive)
    .option(
      '--clock-anchor <time>',
      'ISO instant at which lab time equals wall time (as given to labloop sim)',
    )
    .action(
      async (o: {
        config?: string;
        dataDir?: string;
        port?: number;
        clock?: string;
        timeScale?: number;
        clockAnchor?: string;
      }) => {
        await startCommand({
          config: o.config,
          overrides: {
            dataDir: o.dataDir,
            httpPort: o.port,
            clockMode: o.clock,
            timeScale: o.timeScale,
            clockAnchor: o.clockAnchor,
          },
        });
      },
    );

  program
    .command('run <campaign>')
    .description('run one campaign in the foreground on its own embedded stack, then exit')
    .option('--config <file>', 'settings file')
    .option('--data-dir <dir>', 'folder for this run (default: ./data/runs/<campaign name>)')
    .option('--mqtt <url>', 'use this broker instead of an embedded one')
    .option('--lab <file>', "lab file to use instead of the campaign's lab:")
    .option('--json', 'print the outcome as JSON on stdout')
    .option('--verbose', 'log every experiment')
    .option('--clock <mode>', 'lab time: real, scaled or virtual (virtual: simulators in-process only)')
    .option('--time-scale <n>', 'lab time runs n times faster than wall time', positive)
    .option(
      '--clock-anchor <time>',
      'ISO instant at which lab time equals wall time (as given to labloop sim)',
    )
    .action(async (file: string, o: Parameters<typeof runCommand>[1]) => {
      process.exitCode = await runCommand(file, o);
    });

  program
    .command('validate <files...>')
    .description('check lab, protocol, campaign and space files; exit 1 on any problem')
    .option('--lab <file>', 'lab file for campaigns (instead of their lab:) and for protocol files')
    .option('--json', 'machine-readable output')
    .action((files: string[], o: { lab?: string; json?: boolean }) => {
      process.exitCode = validateCommand(files, o);
    });

  registerOperatorCommands(program);
  registerInterlockCommands(program);
  program
    .command('optimize')
    .description(
      'drive a strategy over stdin/stdout JSON lines, without instruments (see docs/strategies.md)',
    )
    .requiredOption('--space <file>', 'YAML with parameters, objectives and optional constraints')
    .option('--strategy <name>', 'built-in name, ./module.js or http://service', 'bayes')
    .option('--seed <n>', 'seed of the strategy', nonNegativeInteger, 0)
    .option('--batch <k>', 'suggestions in flight at once', nonNegativeInteger, 1)
    .option('--options <json>', 'strategy options as JSON, e.g. \'{"initial": 8}\'', jsonObject, {})
    .action(
      async (o: {
        space: string;
        strategy: string;
        seed: number;
        batch: number;
        options: Record<string, unknown>;
      }) => {
        if (o.batch < 1) throw new InvalidArgumentError('--batch: expected at least 1');
        process.exitCode = await optimizeCommand(o, {
          input: process.stdin,
          output: process.stdout,
          errors: process.stderr,
        });
        process.stdin.destroy();
      },
    );

  program
    .command('plan <campaign>')
    .description(
      "dry run: one experiment's step timeline with example parameters, and the campaign's duration",
    )
    .option('--lab <file>', "lab file to use instead of the campaign's lab:")
    .option('--set <name=value...>', 'example parameter values (default: the middle of each range)')
    .option('--json', 'machine-readable output')
    .action((file: string, o: PlanOptions) => {
      process.exitCode = planCommand(file, o);
    });

  program
    .command('confirm <experiment> <step>')
    .description("an operator's answer to a manual step of a running experiment (sent to the daemon)")
    .option('--failed', 'it could not be done: the step fails and its failure policy applies')
    .option('--note <text>', 'what the operator wants to record')
    .option('--by <name>', 'who did it')
    .option('--url <url>', 'the daemon (default: http.host and http.port of the settings)')
    .option('--config <file>', 'settings file')
    .action(async (experiment: string, step: string, o: ConfirmOptions) => {
      process.exitCode = await confirmCommand(experiment, step, o);
    });

  program
    .command('schema')
    .description('print the JSON Schema of labloop files (editors use protocols/schema.json)')
    .option('--out <file>', 'write it to a file')
    .action((o: { out?: string }) => {
      process.exitCode = schemaCommand(o);
    });

  program
    .command('do <instrument> <action> [params...]')
    .description('run one action on an instrument through the running daemon (limit-checked, journaled)')
    .option('--timeout <duration>', 'longest the action may take (default 5 min)')
    .option('--reason <text>', 'why, for the journal')
    .option('--url <url>', 'the daemon (default: LABLOOP_URL, else http.host/port of the settings)')
    .option('--config <file>', 'settings file giving http.host/port')
    .option('--json', 'print the outcome as JSON')
    .action(async (instrument: string, action: string, params: string[], o: DoOptions) => {
      process.exitCode = await doCommand(instrument, action, params, o);
    });

  program
    .command('estop [instruments...]')
    .description('abort at once on the instruments named, or on every instrument')
    .option('--reason <text>', 'why, for the journal')
    .option('--url <url>', 'the daemon (default: LABLOOP_URL, else http.host/port of the settings)')
    .option('--config <file>', 'settings file giving http.host/port')
    .option('--json', 'print the report as JSON')
    .action(async (instruments: string[], o: EstopOptions) => {
      process.exitCode = await estopCommand(instruments, o);
    });

  program
    .command('sim <lab>')
    .description('run a simulated lab (chem | bio | all) on real sockets until stopped; prints its endpoints')
    .option('--mqtt <url>', 'put the bio instruments on this broker instead of an embedded one')
    .option('--mqtt-port <n>', 'port of the embedded broker (default 1884)', port)
    .option('--host <address>', 'address the servers bind to (default 127.0.0.1)')
    .option('--ports <mode>', 'fixed (1884, 4841-4845) or auto (free ports)')
    .option('--lab-out <file>', 'write the matching lab file here (default ./data/sim-lab.yaml)')
    .option('--time-scale <n>', 'lab time runs n times faster than wall time', positive)
    .option(
      '--clock-anchor <time>',
      'ISO instant at which lab time equals wall time (give the daemon the same)',
    )
    .option('--seed <n>', 'seed of every random source (default 1)', integer)
    .option('--faults <file>', 'fault script (kind: faults) to inject')
    .option('--audit <file>', 'append every command id the instruments execute to this file')
    .option('--variant <v>', 'SnAr kinetics: current (default) or 2020')
    .option('--pki-dir <dir>', 'OPC UA certificates (default ./data/sim-pki)')
    .action(async (lab: string, o: SimOptions) => {
      // Loaded on demand: node-opcua takes a second to load, which no other command should pay.
      const { simCommand } = await import('./sim.command.js');
      await simCommand(lab, o);
    });

  return program;
}

function positive(value: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new InvalidArgumentError('expected a positive number');
  return n;
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    // A failed boot may leave servers open: exit explicitly.
    process.exit(reportError(e));
  }
}
