/**
 * `npm run bench:drivers`: command round trips through the drivers, measured, never asserted.
 * - MQTT, through the embedded aedes (logins and topic rights on) and a real Mosquitto (`set_tcp_nodelay true`):
 *   1, 10 and 100 instruments, one command at a time and several in flight; each command passes the hard-limit
 *   guard and the driver, to a lean instrument that answers `done` at once.
 * - OPC UA: one write → call → wait (by subscription) → read action per command.
 * Prints commands/s and p50/p99 latency as a Markdown table. `--quick` runs each scenario for less time;
 * `--only=aedes|mosquitto|opcua` runs one transport.
 */
/* eslint-disable no-console */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import { Logger } from '@nestjs/common';
import { connect } from 'mqtt';
import { BrokerAccess, type BrokerUser } from '../src/broker/broker-access.js';
import { EmbeddedBroker } from '../src/broker/embedded-broker.js';
import { SystemClock } from '../src/common/clock.js';
import { EventBus } from '../src/events/event-bus.service.js';
import { guardCommand } from '../src/lab/command-guard.js';
import type { InstrumentDriver } from '../src/lab/instrument-driver.port.js';
import { instrumentSchema, type InstrumentSpec } from '../src/protocol/lab.schema.js';
import { MqttInstrumentDriver } from '../drivers/mqtt/mqtt-instrument.driver.js';
import { MqttLink } from '../drivers/mqtt/mqtt-link.js';
import { OpcuaInstrumentDriver } from '../drivers/opcua/opcua-instrument.driver.js';
import { startMosquitto } from './support/mosquitto.js';
import { benchOpcuaServer } from './support/opcua-bench-server.js';

Logger.overrideLogger(['error']);
const quick = process.argv.includes('--quick');
const MEASURE_MS = quick ? 1500 : 4000;
const WARMUP_MS = quick ? 300 : 800;
const clock = new SystemClock();
const events = new EventBus(clock);

interface Row {
  transport: string;
  instruments: number;
  inflight: number;
  perSecond: number;
  p50: number;
  p99: number;
  count: number;
}

/** Runs `inflight` loops sending commands for WARMUP + MEASURE ms; latencies of the measured window only. */
async function measure(
  send: (worker: number, k: number) => Promise<void>,
  inflight: number,
): Promise<Omit<Row, 'transport' | 'instruments' | 'inflight'>> {
  const latencies: number[] = [];
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const end = measureFrom + MEASURE_MS;
  await Promise.all(
    Array.from({ length: inflight }, async (_, w) => {
      for (let k = 0; performance.now() < end; k++) {
        const t0 = performance.now();
        await send(w, k);
        const t1 = performance.now();
        if (t0 >= measureFrom) latencies.push(t1 - t0);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const q = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? NaN;
  return {
    perSecond: latencies.length / (MEASURE_MS / 1000),
    p50: q(0.5),
    p99: q(0.99),
    count: latencies.length,
  };
}

/** One command through the choke point and the driver, as InstrumentRegistry.execute does it. */
async function command(id: string, spec: InstrumentSpec, driver: InstrumentDriver, x: number): Promise<void> {
  const guarded = guardCommand(id, spec, driver.describe(), 'echo', { x });
  if (!guarded.ok) throw new Error(guarded.error.message);
  const outcome = await driver.execute({
    id: `${id}-${x}-${Math.random()}`,
    action: 'echo',
    params: guarded.params,
    deadline: clock.now() + 60_000,
    timeoutMs: 60_000,
  });
  if (outcome.status !== 'done') throw new Error(`${id}: ${outcome.status}`);
}

async function mqttScenarios(kind: 'aedes' | 'mosquitto'): Promise<Row[]> {
  const users: BrokerUser[] = [{ role: 'daemon', username: 'labloop', password: 'bench-daemon' }];
  for (let i = 0; i < 100; i++)
    users.push({
      role: 'instrument',
      username: `i${i}`,
      password: `pw${i}`,
      instrument: `i${i}`,
      prefix: 'labloop',
    });
  let url: string;
  let stopBroker: () => Promise<void>;
  if (kind === 'aedes') {
    const access = new BrokerAccess();
    for (const u of users) access.set(u);
    const b = await EmbeddedBroker.start({ port: 0, access });
    url = b.url;
    stopBroker = () => b.close();
  } else {
    const m = await startMosquitto({ users });
    url = m.url;
    stopBroker = () => m.stop();
  }
  const rows: Row[] = [];
  const spec = instrumentSchema.parse({
    driver: 'mqtt',
    actions: { echo: { params: { x: { type: 'number' } }, result: { y: { type: 'number' } } } },
    limits: { x: { min: -1e9, max: 1e9 } },
  });
  try {
    rows.push(...(await rawBaseline(kind, url)));
    for (const n of [1, 10, 100]) {
      const link = new MqttLink({
        url,
        topicPrefix: 'labloop',
        username: 'labloop',
        password: 'bench-daemon',
      });
      await link.waitConnected(10_000);
      const instruments = await instrumentProcess(url, n);
      const drivers = Array.from(
        { length: n },
        (_, i) =>
          new MqttInstrumentDriver({
            id: `i${i}`,
            spec,
            clock,
            events,
            replyTimeoutMs: 10_000,
            files: { dataDir: '.', labPath: (p) => p },
            transports: { mqtt: () => link },
          }),
      );
      for (const d of drivers) await d.connect();
      while (!drivers.every((d) => d.status().online && d.describe()))
        await new Promise((r) => setTimeout(r, 20));
      for (const inflight of n === 100 ? [1, 10, 100] : [1, 10]) {
        const r = await measure((w, k) => {
          const d = drivers[(w + k * inflight) % n]!;
          return command(d.id, spec, d, k);
        }, inflight);
        rows.push({ transport: `MQTT ${kind}`, instruments: n, inflight, ...r });
        print(rows.at(-1)!);
      }
      for (const d of drivers) await d.close();
      await instruments.stop();
      await link.close();
    }
  } finally {
    await stopBroker();
  }
  return rows;
}

async function opcuaScenarios(): Promise<Row[]> {
  const devices = 10;
  const server = await benchOpcuaServer(devices);
  const dataDir = mkdtempSync(join(tmpdir(), 'labloop-bench-'));
  // One instrument per device (a device runs one action at a time), one session each, as separate instruments have.
  const specs = Array.from({ length: devices }, (_, i) =>
    instrumentSchema.parse({
      driver: 'opcua',
      endpoint: server.url,
      namespaces: { b: 'urn:labloop:bench' },
      actions: { echo: { params: { x: { type: 'number' } }, result: { y: { type: 'number' } } } },
      limits: { x: { min: -1e9, max: 1e9 } },
      operations: {
        echo: {
          steps: [
            { write: { node: `ns=b;s=Bench${i}.Setpoint`, value: '${params.x * 2}' } },
            { call: { object: `ns=b;s=Bench${i}`, method: 'Go', args: ['${command.id}'] } },
            { wait: { node: `ns=b;s=Bench${i}.Status`, equals: '${command.id}', timeout: '10 s' } },
            { read: { node: `ns=b;s=Bench${i}.Setpoint`, into: 'y' } },
          ],
        },
      },
    }),
  );
  const drivers = specs.map(
    (spec, i) =>
      new OpcuaInstrumentDriver({
        id: `bench${i}`,
        spec,
        clock,
        events,
        replyTimeoutMs: 10_000,
        files: { dataDir, labPath: (p) => p },
        transports: {
          mqtt: () => {
            throw new Error('no MQTT');
          },
        },
      }),
  );
  const rows: Row[] = [];
  try {
    for (const d of drivers) await d.connect();
    while (!drivers.every((d) => d.describe())) await new Promise((r) => setTimeout(r, 20));
    for (const inflight of [1, 10]) {
      const r = await measure((w, k) => command(`bench${w}`, specs[w]!, drivers[w]!, k), inflight);
      rows.push({ transport: 'OPC UA write-call-wait-read', instruments: inflight, inflight, ...r });
      print(rows.at(-1)!);
    }
  } finally {
    for (const d of drivers) await d.close();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
  return rows;
}

/**
 * The same round trip with no labloop code: a bare mqtt.js client publishes the command and matches the reply by id
 * (10 instruments). The gap to the driver rows is labloop's cost.
 */
async function rawBaseline(kind: string, url: string): Promise<Row[]> {
  const instruments = await instrumentProcess(url, 10);
  const client = connect(url, { username: 'labloop', password: 'bench-daemon', clean: true });
  await new Promise<void>((resolve, reject) => {
    client.once('connect', () => resolve());
    client.once('error', reject);
  });
  (client.stream as Partial<Socket>).setNoDelay?.(true);
  const waiting = new Map<string, () => void>();
  client.on('message', (_t, payload) => {
    const id = (JSON.parse(payload.toString()) as { id: string }).id;
    waiting.get(id)?.();
    waiting.delete(id);
  });
  await client.subscribeAsync('labloop/+/reply', { qos: 1 });
  const rows: Row[] = [];
  let seq = 0;
  for (const inflight of [1, 10]) {
    const r = await measure(
      (w, k) =>
        new Promise<void>((resolve) => {
          const id = `raw-${++seq}`;
          waiting.set(id, resolve);
          const deadline = new Date(Date.now() + 60_000).toISOString();
          const cmd = JSON.stringify({ id, action: 'echo', params: { x: k }, deadline });
          client.publish(`labloop/i${(w + k * inflight) % 10}/cmd`, cmd, { qos: 1 });
        }),
      inflight,
    );
    rows.push({ transport: `MQTT ${kind}, bare mqtt.js (no labloop)`, instruments: 10, inflight, ...r });
    print(rows.at(-1)!);
  }
  await client.endAsync(true);
  await instruments.stop();
  return rows;
}

/** The lean instruments in a process of their own, as real instruments are. */
async function instrumentProcess(url: string, n: number): Promise<{ stop(): Promise<void> }> {
  const script = fileURLToPath(new URL('./support/lean-instruments.js', import.meta.url));
  const child = spawn(process.execPath, [script, url, String(n)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`instrument process exited with ${code}`)));
  });
  return {
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function print(r: Row): void {
  console.log(
    `| ${r.transport} | ${r.instruments} | ${r.inflight} | ${Math.round(r.perSecond).toLocaleString('en')} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.count} |`,
  );
}

async function main(): Promise<void> {
  console.log(
    `labloop driver benchmark — ${cpus()[0]?.model ?? 'cpu'} ×${cpus().length}, node ${process.version}, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
  console.log(`each scenario: ${WARMUP_MS} ms warm-up, ${MEASURE_MS} ms measured\n`);
  console.log('| transport | instruments | in flight | commands/s | p50 ms | p99 ms | commands |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
  if (!only || only === 'aedes') await mqttScenarios('aedes');
  if (!only || only === 'mosquitto') await mqttScenarios('mosquitto');
  if (!only || only === 'opcua') await opcuaScenarios();
  console.log(
    `\nload after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}`,
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
