/**
 * Lean MQTT instruments for the driver benchmark: each answers every command `done` at once, so the figures measure
 * labloop and the broker, not a simulation. Run as a script they live in their own process, as real instruments
 * do: `node lean-instruments.js <url> <count>` logs in instrument i as user `i<i>` with password `pw<i>`, prints
 * `ready` once all are online, and stops on SIGTERM.
 */
import type { Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { connect, type MqttClient } from 'mqtt';

export interface LeanInstrument {
  id: string;
  stop(): Promise<void>;
}

/** An MQTT contract instrument that replies `done` with `{ y: 2x }` to every command, immediately. */
export async function leanInstrument(
  url: string,
  id: string,
  login: { username: string; password: string },
): Promise<LeanInstrument> {
  const base = `labloop/${id}`;
  const client: MqttClient = connect(url, {
    ...login,
    clientId: `bench-${id}-${Math.random().toString(16).slice(2, 8)}`,
    clean: true,
    will: { topic: `${base}/state`, payload: Buffer.from('{"online":false}'), qos: 1, retain: true },
  });
  client.on('message', (_t, payload) => {
    const cmd = JSON.parse(payload.toString()) as { id: string; params: { x?: number } };
    const reply = { id: cmd.id, status: 'done', result: { y: 2 * (cmd.params.x ?? 0) } };
    client.publish(`${base}/reply`, JSON.stringify(reply), { qos: 1 });
  });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  (client.stream as Partial<Socket>).setNoDelay?.(true);
  await client.subscribeAsync(`${base}/cmd`, { qos: 1 });
  const describe = {
    v: 1,
    model: 'bench',
    actions: { echo: { params: { x: { type: 'number' } }, result: { y: { type: 'number' } } } },
    readings: {},
  };
  await client.publishAsync(`${base}/describe`, JSON.stringify(describe), { qos: 1, retain: true });
  await client.publishAsync(`${base}/state`, '{"online":true,"state":"idle"}', { qos: 1, retain: true });
  return {
    id,
    stop: async () => {
      await client
        .publishAsync(`${base}/state`, '{"online":false}', { qos: 1, retain: true })
        .catch(() => undefined);
      await client.endAsync(true);
    },
  };
}

async function main(): Promise<void> {
  const [url, count] = process.argv.slice(2);
  if (!url || !count) throw new Error('usage: lean-instruments.js <url> <count>');
  const all = await Promise.all(
    Array.from({ length: Number(count) }, (_, i) =>
      leanInstrument(url, `i${i}`, { username: `i${i}`, password: `pw${i}` }),
    ),
  );
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    void Promise.all(all.map((i) => i.stop())).then(() => process.exit(0));
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((e: unknown) => {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  });
}
