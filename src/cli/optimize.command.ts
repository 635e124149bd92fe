/**
 * `labloop optimize --space <file.yaml> --strategy <name> [--seed N] [--batch K] [--options JSON]`: a strategy
 * alone, driven over standard input and output, for scripts and benchmarks without instruments. Standard output
 * carries only protocol lines, one JSON object each:
 *   → {"ask":[{"id":"s1","params":{…}}, …]}                          K suggestions, written at start and after each tell
 *   ← {"tell":[{"id":"s1","values":{"<objective>":1.5}}, {"id":"s2","failed":true}]}
 * A value may also be {"mean":1.5,"sem":0.1}. After a tell, the next ask refills the batch to K suggestions in flight.
 * End of input ends it (exit 0); a malformed line gets a message on standard error and exit 2; a bad space file,
 * exit 1. Logs go to standard error.
 */
import { createInterface } from 'node:readline';
import { resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import { z } from 'zod';
import { SystemClock } from '../common/clock.js';
import { StrategyRegistry, type StrategyRef } from '../optimizers/strategy-registry.service.js';
import { loadSpaceFile } from '../optimizers/space-file.loader.js';
import type { Observation, Strategy, Suggestion } from '../optimizers/strategy.port.js';
import { LabLogger } from '../telemetry/lab-logger.js';
import { EXIT } from './cli-errors.js';

export interface OptimizeOptions {
  space: string;
  strategy: string;
  seed: number;
  batch: number;
  options?: Record<string, unknown>;
}

export interface OptimizeIo {
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  errors: NodeJS.WritableStream;
}

export const EXIT_MALFORMED = 2;

const value = z.union([
  z.number(),
  z.strictObject({ mean: z.number(), sem: z.number().nonnegative().optional() }),
]);
const tellLine = z.strictObject({
  tell: z
    .array(
      z.union([
        z.strictObject({ id: z.string(), values: z.record(z.string(), value) }),
        z.strictObject({ id: z.string(), failed: z.literal(true), reason: z.string().optional() }),
      ]),
    )
    .min(1),
});

/** What --strategy names: an http(s) URL, a module path, or a built-in name. */
export function strategyRef(text: string): StrategyRef {
  if (/^https?:\/\//.test(text)) return { external: { url: text } };
  if (/^\.{0,2}\//.test(text) || text.endsWith('.js') || text.endsWith('.mjs')) return { module: text };
  return { name: text };
}

export async function optimizeCommand(o: OptimizeOptions, io: OptimizeIo): Promise<number> {
  Logger.overrideLogger(new LabLogger({ level: 'warn', format: 'text', stream: io.errors as never }));
  const file = loadSpaceFile(o.space);
  const registry = new StrategyRegistry(new SystemClock());
  const strategy = await registry.create(
    strategyRef(o.strategy),
    { ...file, seed: o.seed, options: o.options ?? {} },
    { baseDir: resolve('.') },
  );
  const session = new Session(strategy, Object.keys(file.objectives), o.batch, io.output);
  await session.ask();
  const lines = createInterface({ input: io.input, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const problem = await session.handle(line);
    if (problem) {
      io.errors.write(`labloop optimize: line ${lineNo}: ${problem}\n`);
      lines.close();
      return EXIT_MALFORMED;
    }
  }
  return EXIT.ok;
}

class Session {
  private readonly outstanding = new Map<string, Suggestion>();

  constructor(
    private readonly strategy: Strategy,
    private readonly objectives: string[],
    private readonly batch: number,
    private readonly output: NodeJS.WritableStream,
  ) {}

  async ask(): Promise<void> {
    const pending = [...this.outstanding.values()];
    const fresh = await this.strategy.ask(this.batch - pending.length, pending);
    for (const s of fresh) this.outstanding.set(s.id, s);
    await write(
      this.output,
      `${JSON.stringify({ ask: fresh.map((s) => ({ id: s.id, params: s.params })) })}\n`,
    );
  }

  /** Applies one input line; returns what is wrong with it, or undefined. */
  async handle(line: string): Promise<string | undefined> {
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      return `not JSON: ${line.slice(0, 80)}`;
    }
    const parsed = tellLine.safeParse(json);
    if (!parsed.success)
      return `expected {"tell":[{"id":"…","values":{…}}]} or {"tell":[{"id":"…","failed":true}]}, got ${line.slice(0, 80)}`;
    const observations: Observation[] = [];
    const ids = new Set<string>();
    for (const entry of parsed.data.tell) {
      const s = this.outstanding.get(entry.id);
      if (!s || ids.has(entry.id)) return `${entry.id} is not a suggestion waiting for a result`;
      ids.add(entry.id);
      if ('failed' in entry) {
        observations.push({
          suggestionId: s.id,
          params: s.params,
          failed: { reason: entry.reason ?? 'failed' },
        });
        continue;
      }
      const missing = this.objectives.find((k) => !(k in entry.values));
      if (missing) return `${entry.id}: no value for objective ${missing}`;
      const extra = Object.keys(entry.values).find((k) => !this.objectives.includes(k));
      if (extra) return `${entry.id}: ${extra} is not an objective (${this.objectives.join(', ')})`;
      const values = Object.fromEntries(
        Object.entries(entry.values).map(([k, v]) => [k, typeof v === 'number' ? { mean: v } : v]),
      );
      observations.push({ suggestionId: s.id, params: s.params, values });
    }
    for (const id of ids) this.outstanding.delete(id);
    await this.strategy.tell(observations);
    await this.ask();
    return undefined;
  }
}

function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolvePromise()));
  });
}
