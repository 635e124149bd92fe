/**
 * A simulated instrument on the MQTT contract v1, the instrument's side of the wire: retained state and describe, a
 * last will, commands and replies (handled by SimCommandProcessor), telemetry. Its faults also reach the wire here:
 * it drops off the network and comes back, publishes garbage, and reports the state a clog imposes.
 */
import { connect, type MqttClient } from 'mqtt';
import type { Socket } from 'node:net';
import type { Clock, Timer } from '../../src/common/clock.js';
import { SeededRandom, deriveSeed } from '../../src/common/seeded-random.js';
import {
  CONTRACT_VERSION,
  commandPayload,
  decode,
  instrumentTopics,
  type ReplyPayload,
} from '../../drivers/mqtt/mqtt.contract.js';
import { garbagePayload, withBias } from './fault-effects.js';
import type { InstrumentFaults } from './instrument-faults.js';
import { SimCommandProcessor } from './sim-command-processor.js';
import type { SimModel } from './sim-model.js';

export interface MqttSimOptions {
  id: string;
  url: string;
  model: SimModel;
  clock: Clock;
  seed: number;
  topicPrefix?: string;
  username?: string;
  password?: string;
  faults?: InstrumentFaults;
  /** Called with every command id the instrument starts executing (for tests and crash audits). */
  onExecute?: (commandId: string, action: string) => void;
}

export class MqttSimInstrument {
  private client?: MqttClient;
  private readonly topics: ReturnType<typeof instrumentTopics>;
  private readonly processor: SimCommandProcessor;
  private telemetryTimer?: Timer;
  private readonly telemetryRng: SeededRandom;
  private garbageSent = 0;
  private stopped = false;
  private offline = false;

  constructor(private readonly o: MqttSimOptions) {
    this.topics = instrumentTopics(o.topicPrefix ?? 'labloop', o.id);
    this.telemetryRng = new SeededRandom(deriveSeed(o.seed, o.id, 'telemetry'));
    this.processor = new SimCommandProcessor(o, {
      reply: (r, garbled) => this.publishReply(r, garbled),
      repeat: (r) => this.publishReply(r, false),
      stateChanged: () => this.publishState(),
    });
  }

  get id(): string {
    return this.o.id;
  }

  /** Commands actually executed (never counts a repeated id). */
  get executedCount(): number {
    return this.processor.executedCount;
  }

  get faults(): InstrumentFaults | undefined {
    return this.o.faults;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.connectClient();
    this.o.faults?.attach({
      offline: () => void this.goOffline(),
      online: () => void this.comeBack(),
      changed: () => this.publishState(),
    });
    this.scheduleTelemetry();
  }

  /** Goes offline the way a real instrument shuts down: says so, then disconnects. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.o.faults?.detach();
    this.telemetryTimer?.cancel();
    this.processor.stop(new Error('simulator stopped'));
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected) {
      await client
        .publishAsync(this.topics.state, JSON.stringify({ online: false }), { qos: 1, retain: true })
        .catch(() => undefined);
    }
    await client.endAsync(true);
  }

  /** Drops off the network without a goodbye: the broker publishes the last will. Work in progress goes on. */
  async goOffline(): Promise<void> {
    const client = this.client;
    if (!client || this.offline) return;
    this.offline = true;
    this.client = undefined;
    (client.stream as Partial<Socket>).destroy?.();
    await client.endAsync(true).catch(() => undefined);
  }

  /** Back on the network after goOffline: reconnects and republishes state and describe. */
  async comeBack(): Promise<void> {
    if (!this.offline || this.stopped) return;
    this.offline = false;
    await this.connectClient();
  }

  private async connectClient(): Promise<void> {
    const offline = JSON.stringify({ online: false });
    const client = connect(this.o.url, {
      clientId: `sim-${this.o.id}-${Math.random().toString(16).slice(2, 8)}`,
      username: this.o.username,
      password: this.o.password,
      clean: true,
      reconnectPeriod: 500,
      keepalive: 10,
      queueQoSZero: false,
      will: { topic: this.topics.state, payload: Buffer.from(offline), qos: 1, retain: true },
    });
    this.client = client;
    client.on('error', () => undefined);
    client.on('message', (_topic, payload) => this.onCommand(payload));
    client.on('connect', () => {
      (client.stream as Partial<Socket>).setNoDelay?.(true);
      client.subscribe(this.topics.cmd, { qos: 1 });
      this.publishRetained(this.topics.describe, this.describePayload());
      this.publishState();
    });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
  }

  private onCommand(payload: Buffer): void {
    const d = decode(commandPayload, payload);
    if (d.ok) this.processor.receive(d.value);
    else this.processor.malformed(safeId(payload), d.reason);
  }

  private describePayload(): object {
    const actions: Record<string, object> = {};
    for (const [name, a] of Object.entries(this.o.model.actions))
      actions[name] = { params: a.params, result: a.result };
    const readings: Record<string, object> = {};
    for (const [name, r] of Object.entries(this.o.model.readings))
      readings[name] = { type: r.type, ...(r.unit ? { unit: r.unit } : {}) };
    return { v: CONTRACT_VERSION, model: this.o.model.model, actions, readings };
  }

  private publishState(): void {
    const imposed = this.o.faults?.condition();
    const state = imposed?.state ?? (this.processor.running ? 'busy' : 'idle');
    this.publishRetained(this.topics.state, {
      online: true,
      state,
      ...(imposed?.detail ? { detail: imposed.detail } : {}),
    });
  }

  private publishRetained(topic: string, payload: object): void {
    this.client?.publish(topic, JSON.stringify(payload), { qos: 1, retain: true });
  }

  /** Replies are never queued while disconnected: the daemon asks again with the same id after a reconnect. */
  private publishReply(r: ReplyPayload, garbled: boolean): void {
    if (!this.client?.connected) return;
    const payload = garbled ? garbagePayload(this.garbageSent++) : JSON.stringify(r);
    this.client.publish(this.topics.reply, payload, { qos: 1 });
  }

  private scheduleTelemetry(): void {
    const period = this.o.model.telemetryPeriodMs;
    if (period <= 0) return;
    this.telemetryTimer = this.o.clock.setTimer(period, () => {
      if (this.client?.connected) this.publishTelemetry();
      if (!this.stopped) this.scheduleTelemetry();
    });
  }

  private publishTelemetry(): void {
    const client = this.client;
    if (!client) return;
    const now = this.o.clock.now();
    const t = new Date(now).toISOString();
    const garbage = this.o.faults?.garbageTelemetry() ?? false;
    for (const [name, r] of Object.entries(this.o.model.readings)) {
      const v = withBias(r.sample(now, this.telemetryRng), this.o.faults?.bias(name, now) ?? 0);
      const payload = garbage ? garbagePayload(this.garbageSent++) : JSON.stringify({ t, v });
      client.publish(this.topics.telemetry(name), payload, { qos: 0 });
    }
  }
}

function safeId(payload: Buffer): string | undefined {
  try {
    const v = JSON.parse(payload.toString('utf8')) as { id?: unknown };
    return typeof v.id === 'string' && v.id.length > 0 && v.id.length <= 200 ? v.id : undefined;
  } catch {
    return undefined;
  }
}
