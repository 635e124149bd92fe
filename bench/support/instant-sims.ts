/**
 * The bench lab's simulated instruments in a process of their own, as real instruments are: started by
 * `bench/engine.bench.ts --instruments separate`. Connects each instrument to the daemon's broker with the login the
 * bench lab file gives it, prints `ready` once all are connected, and stops on SIGTERM.
 *
 *   node dist/bench/support/instant-sims.js <lab.yaml> <broker url> <topic prefix>
 */
import { SystemClock } from '../../src/common/clock.js';
import { loadLabFile } from '../../src/protocol/document.loader.js';
import { startLabSimulators } from '../../simulators/sim-host.js';

export const benchPassword = (instrument: string): string => `bench-${instrument}`;

async function main(): Promise<void> {
  const [labFile, url, topicPrefix] = process.argv.slice(2);
  if (!labFile || !url || topicPrefix === undefined)
    throw new Error('usage: instant-sims.js <lab.yaml> <broker url> <topic prefix>');
  const sims = await startLabSimulators(loadLabFile(labFile).spec, {
    clock: new SystemClock(),
    broker: (_name, id) => ({ url, username: id, password: benchPassword(id), topicPrefix }),
  });
  process.once('SIGTERM', () => {
    void Promise.all(sims.map((s) => s.stop())).finally(() => process.exit(0));
  });
  process.stdout.write('ready\n');
}

if (process.argv[1]?.endsWith('instant-sims.js'))
  main().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  });
