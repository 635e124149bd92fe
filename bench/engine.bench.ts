/**
 * npm run bench:engine — labloop's own overhead per experiment and per step, with instant simulated instruments
 * (their actions take no time; the MQTT round trip through the embedded broker is counted as overhead), a
 * random strategy, and the journal durable (WAL, synchronous=FULL). Prints figures; asserts nothing.
 *
 *   node --expose-gc dist/bench/engine.bench.js [--experiments 10000] [--steps 5] [--parallel 8] [--strategy random]
 *     [--instruments in-process | separate]
 *
 * `--instruments separate` runs the simulated instruments in a process of their own, as real instruments are, so that
 * their work (their MQTT client, their command memory) is neither timed nor weighed as labloop's.
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../src/app.module.js';
import { BrokerService } from '../src/broker/broker.service.js';
import { CampaignRunner } from '../src/campaign/campaign-runner.service.js';
import { CampaignService } from '../src/campaign/campaign.service.js';
import { loadConfig } from '../src/config/config.loader.js';
import { EventBus } from '../src/events/event-bus.service.js';
import { loadCampaignFile } from '../src/protocol/document.loader.js';
import { LabLogger } from '../src/telemetry/lab-logger.js';
import { benchPassword } from './support/instant-sims.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const EXPERIMENTS = arg('experiments', 10_000);
const STEPS = arg('steps', 5);
const PARALLEL = arg('parallel', 8);
/**
 * `--strategy random` uses the built-in random strategy, whose history grows with every experiment (as any strategy's
 * must); the default is a strategy that keeps nothing, so that the heap figure is the orchestration's alone.
 */
const STRATEGY = process.argv.includes('--strategy')
  ? (process.argv[process.argv.indexOf('--strategy') + 1] ?? 'memoryless')
  : 'memoryless';

function textArg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? (process.argv[i + 1] ?? fallback) : fallback;
}

const INSTRUMENTS = textArg('instruments', 'in-process');
if (INSTRUMENTS !== 'in-process' && INSTRUMENTS !== 'separate')
  throw new Error(`--instruments: expected in-process or separate, got "${INSTRUMENTS}"`);
const SEPARATE = INSTRUMENTS === 'separate';

/** Proposes x from (seed, k) and remembers nothing but k. */
const MEMORYLESS_STRATEGY = `export default function createStrategy({ seed }) {
  let k = 0;
  const u = (i) => (Math.imul((seed * 2654435761 + i * 40503) >>> 0, 2246822519) >>> 0) / 2 ** 32;
  return {
    async ask(count) {
      return Array.from({ length: count }, () => ({ id: 's' + ++k, params: { x: -10 + 20 * u(k) } }));
    },
    async tell() {},
  };
}
`;

/** Starts the bench lab's instruments in a child process once the daemon's broker is up; resolves when connected. */
async function startSeparateInstruments(labFile: string, broker: BrokerService): Promise<ChildProcess> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'support', 'instant-sims.js');
  const { url, topicPrefix } = broker.endpoint;
  const child = spawn(process.execPath, [script, labFile, url, topicPrefix], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stdout = child.stdout;
  if (!stdout) throw new Error('the instruments process has no stdout');
  await Promise.race([
    new Promise<void>((resolve) =>
      stdout.on('data', (b: Buffer) => {
        if (b.toString().includes('ready')) resolve();
      }),
    ),
    once(child, 'exit').then(([code]) => {
      throw new Error(`the instruments process exited with ${String(code)}`);
    }),
  ]);
  return child;
}

function writeFixtures(dir: string): string {
  writeFileSync(join(dir, 'memoryless.strategy.mjs'), MEMORYLESS_STRATEGY);
  const instrument = (id: string): string => `  ${id}:
    driver: mqtt
    capacity: ${PARALLEL}
${SEPARATE ? `    credentials: { username: ${id}, password: ${benchPassword(id)} }\n` : ''}    actions:
      step:
        params: { x: { type: number } }
        result: { y: { type: number } }
    limits:
      x: { min: -1000, max: 1000 }
    simulator: { model: instant }
`;
  writeFileSync(
    join(dir, 'lab.yaml'),
    `kind: lab\nversion: 1\nname: bench\ninstruments:\n${instrument('a')}${instrument('b')}`,
  );
  const steps = Array.from(
    { length: STEPS },
    (_, i) =>
      `    - id: s${i}\n      instrument: ${i % 2 ? 'b' : 'a'}\n      action: step\n      params: { x: '\${inputs.x}' }\n`,
  ).join('');
  writeFileSync(
    join(dir, 'campaign.yaml'),
    `kind: campaign
version: 1
name: engine-bench
lab: lab.yaml
protocol:
  inputs:
    x: { type: number, default: 0 }
  steps:
${steps}  outputs:
    y: \${steps.s${STEPS - 1}.result.y}
parameters:
  x: { type: float, min: -10, max: 10 }
objectives:
  y: { goal: maximize }
strategy: ${STRATEGY === 'random' ? '{ name: random, seed: 1 }' : '{ module: ./memoryless.strategy.mjs, seed: 1 }'}
parallel: ${PARALLEL}
budget: { experiments: ${EXPERIMENTS} }
`,
  );
  return join(dir, 'campaign.yaml');
}

function growthFrom(a: number | undefined, b: number | undefined): string {
  return a && b ? ((b / a - 1) * 100).toFixed(1) : 'n/a';
}

function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  if (!(globalThis as { gc?: unknown }).gc)
    process.stderr.write('note: run with --expose-gc for heap figures after GC\n');
  const dir = mkdtempSync(join(tmpdir(), 'labloop-bench-'));
  const file = writeFixtures(dir);
  const config = loadConfig({
    configPath: 'config/default.yaml',
    env: {
      LABLOOP_MQTT__EMBEDDED__PORT: '0',
      LABLOOP_STARTUP__CAMPAIGNS: '[]',
      // Separate instruments: the lab is loaded at boot (its instruments admitted to the broker), not simulated here.
      ...(SEPARATE
        ? {
            LABLOOP_SIMULATORS__INPROCESS: 'false',
            LABLOOP_INSTRUMENTS__LABS: JSON.stringify([join(dir, 'lab.yaml')]),
          }
        : {}),
    },
    overrides: { dataDir: join(dir, 'data') },
  });
  const logger = new LabLogger({ level: 'warn', format: 'text', stream: process.stderr });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config, mode: 'run' }), {
    logger,
  });
  const instruments = SEPARATE
    ? await startSeparateInstruments(join(dir, 'lab.yaml'), app.get(BrokerService))
    : undefined;
  const campaigns = app.get(CampaignService);
  const bus = app.get(EventBus);
  let steps = 0;
  let completed = 0;
  const heap: Record<number, number> = {};
  const lag = monitorEventLoopDelay({ resolution: 10 });
  const t0 = process.hrtime.bigint();
  let lastReport = Date.now();
  bus.onAny((e) => {
    if (e.type === 'command.finished') steps++;
    if (e.type === 'observation.recorded') {
      completed++;
      const half = Math.floor(EXPERIMENTS / 2);
      if (completed === 1000 || completed === half || completed === EXPERIMENTS)
        heap[completed] = heapAfterGc();
      if (Date.now() - lastReport > 2000) {
        lastReport = Date.now();
        process.stderr.write(`  ${completed}/${EXPERIMENTS} experiments, ${steps} steps\n`);
      }
    }
  });
  const c = campaigns.create(loadCampaignFile(file));
  lag.enable();
  await campaigns.start(c.id);
  await app.get(CampaignRunner).whenStopped(c.id);
  lag.disable();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await app.close();
  if (instruments) {
    instruments.kill('SIGTERM');
    if (instruments.exitCode === null && instruments.signalCode === null) await once(instruments, 'exit');
  }
  rmSync(dir, { recursive: true, force: true });

  const mb = (b: number | undefined): string =>
    b === undefined ? 'n/a' : `${(b / 1024 / 1024).toFixed(1)} MB`;
  const growth =
    heap[1000] && heap[EXPERIMENTS] ? ((heap[EXPERIMENTS] / heap[1000] - 1) * 100).toFixed(1) : 'n/a';
  const lines = [
    `engine benchmark: ${EXPERIMENTS} experiments × ${STEPS} steps, ${PARALLEL} in parallel, durable journal, ${STRATEGY} strategy, instruments ${INSTRUMENTS}`,
    `  wall time            ${seconds.toFixed(1)} s`,
    `  per experiment       ${((seconds * 1000) / EXPERIMENTS).toFixed(3)} ms`,
    `  per step             ${((seconds * 1000) / steps).toFixed(3)} ms   (${steps} steps)`,
    `  steps per second     ${(steps / seconds).toFixed(0)}`,
    `  event-loop lag p99   ${(lag.percentile(99) / 1e6).toFixed(1)} ms (max ${(lag.max / 1e6).toFixed(1)} ms)`,
    `  heap after GC        ${mb(heap[1000])} at 1,000 · ${mb(heap[EXPERIMENTS])} at ${EXPERIMENTS.toLocaleString('en')} (${growth} %)`,
    // In-process, the simulated instruments share this heap and remember their last 10,000 commands each (contract
    // v1): that bounded memory fills until about 4,000 experiments. From half-way on, only labloop's own growth
    // remains. With --instruments separate the heap is the daemon's alone.
    `                       ${mb(heap[Math.floor(EXPERIMENTS / 2)])} at ${Math.floor(EXPERIMENTS / 2).toLocaleString('en')} · growth from there ${growthFrom(heap[Math.floor(EXPERIMENTS / 2)], heap[EXPERIMENTS])} %${SEPARATE ? '' : " (the simulators' command memory full)"}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(1);
});
