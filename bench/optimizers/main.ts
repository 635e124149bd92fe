/**
 * `npm run bench:optimizers`: median simple regret of bayes, sobol and random on Branin, Hartmann-6, Ackley-5 and the
 * SnAr reactor after 10/20/30/40/60 evaluations, and the median and p95 time of one bayes ask() at n = 50, 200 and
 * 1000 observations in 6-D. Prints progress on stderr and the tables (Markdown) on stdout. Asserts nothing.
 *
 *   npm run bench:optimizers                      # 10 seeds, 10 timed asks per size
 *   npm run bench:optimizers -- --full            # 20 seeds, 30 timed asks per size
 *   npm run bench:optimizers -- --seeds 3 --domains Branin --strategies bayes --no-timing
 */
import { cpus } from 'node:os';
import { timeAsks } from './ask-timing.js';
import { DOMAINS } from './domains.js';
import { bestSoFar, median, quantile } from './regret.js';

const CHECKPOINTS = [10, 20, 30, 40, 60];

interface Args {
  seeds: number;
  reps: number;
  domains: string[];
  strategies: string[];
  sizes: number[];
  regret: boolean;
  timing: boolean;
}

function parseArgs(argv: string[]): Args {
  const full = argv.includes('--full');
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = (flag: string, fallback: string[]): string[] => value(flag)?.split(',') ?? fallback;
  return {
    seeds: Number(value('--seeds') ?? (full ? 20 : 10)),
    reps: Number(value('--reps') ?? (full ? 30 : 10)),
    domains: list(
      '--domains',
      DOMAINS.map((d) => d.name),
    ),
    strategies: list('--strategies', ['bayes', 'sobol', 'random']),
    sizes: list('--sizes', ['50', '200', '1000']).map(Number),
    regret: !argv.includes('--no-regret'),
    timing: !argv.includes('--no-timing'),
  };
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const fmt = (v: number): string => (v === 0 ? '0' : Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(2));

async function regretTable(a: Args): Promise<string> {
  const rows: string[] = [];
  const evaluations = Math.max(...CHECKPOINTS);
  for (const name of a.domains) {
    const domain = DOMAINS.find((d) => d.name === name);
    if (!domain) throw new Error(`no domain ${name}; known: ${DOMAINS.map((d) => d.name).join(', ')}`);
    for (const strategy of a.strategies) {
      const regrets: number[][] = CHECKPOINTS.map(() => []);
      const started = performance.now();
      for (let seed = 1; seed <= a.seeds; seed++) {
        const curve = await bestSoFar(strategy, domain, evaluations, seed);
        CHECKPOINTS.forEach((c, i) => regrets[i]!.push(Math.max(0, domain.optimum - curve[c - 1]!)));
        log(
          `  ${name} ${strategy} seed ${seed}/${a.seeds}: regret after ${evaluations} = ${fmt(regrets[4]!.at(-1)!)}`,
        );
      }
      const cells = regrets.map((r) => fmt(median(r)));
      rows.push(`| ${name} | ${strategy} | ${cells.join(' | ')} |`);
      log(
        `${name} ${strategy}: median regret ${cells.join(' / ')} (${((performance.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
  }
  return [
    `Median simple regret over ${a.seeds} seeds after N evaluations (one at a time):`,
    '',
    `| domain | strategy | ${CHECKPOINTS.join(' | ')} |`,
    `|---|---|${CHECKPOINTS.map(() => '---:').join('|')}|`,
    ...rows,
  ].join('\n');
}

async function timingTable(a: Args): Promise<string> {
  const rows: string[] = [];
  for (const n of a.sizes) {
    log(`timing ask() at n = ${n} (${a.reps} asks)…`);
    const t = await timeAsks(n, a.reps);
    const ms = (v: number): string => v.toFixed(0);
    const row = `| ${n} | ${t.timesMs.length} | ${ms(median(t.timesMs))} | ${ms(quantile(t.timesMs, 0.95))} | ${ms(median(t.cpuMs))} | ${ms(quantile(t.cpuMs, 0.95))} | ${ms(t.rebuildMs)} |`;
    rows.push(row);
    log(row);
  }
  return [
    'Time of one bayes ask() in 6-D (Hartmann-6), milliseconds:',
    '',
    '| n | asks timed | median | p95 | CPU median | CPU p95 | first ask after a rebuild |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ].join('\n');
}

async function main(): Promise<void> {
  const a = parseArgs(process.argv.slice(2));
  const started = performance.now();
  log(`bench:optimizers on node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`);
  const out: string[] = [];
  if (a.regret) out.push(await regretTable(a));
  if (a.timing) out.push(await timingTable(a));
  process.stdout.write(`${out.join('\n\n')}\n`);
  log(`done in ${((performance.now() - started) / 60_000).toFixed(1)} min`);
}

await main();
