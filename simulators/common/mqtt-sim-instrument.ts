/**
 * A simulated instrument on the MQTT contract v1, the instrument's side: retained state and describe, a last will,
 * commands answered accepted → running → done | failed, idempotent ids, deadlines, abort, telemetry. One command
 * runs at a time; others queue. Runs any SimModel.
 */
import { connect, type MqttClient } from 'mqtt';
import type { Socket } from 'node:net';
import { sleep, type Clock, type Timer } from '../../src/common/clock.js';
import { SeededRandom, deriveSeed } from '../../src/common/seeded-random.js';
import {
  CONTRACT_VERSION,
  commandPayload,
  decode,
  ERROR_CODES,
  instrumentTopics,
  type CommandPayload,
  type ReplyPayload,
} from '../../drivers/mqtt/mqtt.contract.js';
import { SimCommandMemory } from './sim-command-memory.js';
import { checkParams, SimActionError, type SimModel } from './sim-model.js';

export interface MqttSimOptions {
  id: string;
  url: string;
  model: SimModel;
  clock: Clock;
  seed: number;
  topicPrefix?: string;
  username?: string;
  password?: string;
  /** Called with every command id the instrument starts executing (for tests and crash audits). */
  onExecute?: (commandId: string, action: string) => void;
}

interface Running {
  cmd: CommandPayload;
  controller: AbortController;
}

export class MqttSimInstrument {
  private client?: MqttClient;
  private readonly topics: ReturnType<typeof instrumentTopics>;
  private readonly memory = new SimCommandMemory();
  private readonly queue: CommandPayload[] = [];
  private running?: Running;
  private telemetryTimer?: Timer;
  private readonly rng: SeededRandom;
  private executed = 0;

  constructor(private readonly o: MqttSimOptions) {
    this.topics = instrumentTopics(o.topicPrefix ?? 'labloop', o.id);
    this.rng = new SeededRandom(deriveSeed(o.seed, o.id));
  }

  get id(): string {
    return this.o.id;
  }

  /** Commands actually executed (never counts a repeated id). */
  get executedCount(): number {
    return this.executed;
  }

  async start(): Promise<void> {
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
    this.scheduleTelemetry();
  }

  /** Goes offline the way a real instrument shuts down: says so, then disconnects. */
  async stop(): Promise<void> {
    this.telemetryTimer?.cancel();
    this.running?.controller.abort(new Error('simulator stopped'));
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

  private describePayload(): object {
    const actions: Record<string, object> = {};
    for (const [name, a] of Object.entries(this.o.model.actions))
      actions[name] = { params: a.params, result: a.result };
    const readings: Record<string, object> = {};
    for (const [name, r] of Object.entries(this.o.model.readings))
      readings[name] = { type: r.type, ...(r.unit ? { unit: r.unit } : {}) };
    return { v: CONTRACT_VERSION, model: this.o.model.model, actions, readings };
  }

  private publishState(detail?: string): void {
    const state = this.running ? 'busy' : 'idle';
    this.publishRetained(this.topics.state, { online: true, state, ...(detail ? { detail } : {}) });
  }

  private publishRetained(topic: string, payload: object): void {
    this.client?.publish(topic, JSON.stringify(payload), { qos: 1, retain: true });
  }

  private reply(r: ReplyPayload): void {
    this.memory.set(r);
    if (this.client?.connected) this.client.publish(this.topics.reply, JSON.stringify(r), { qos: 1 });
  }

  private onCommand(payload: Buffer): void {
    const d = decode(commandPayload, payload);
    if (!d.ok) {
      const id = safeId(payload);
      if (id)
        this.reply({ id, status: 'rejected', error: { code: ERROR_CODES.badRequest, message: d.reason } });
      return;
    }
    const cmd = d.value;
    const known = this.memory.get(cmd.id);
    if (known) {
      // The same id again: answer with what became of it, never run it twice.
      if (this.client?.connected) this.client.publish(this.topics.reply, JSON.stringify(known), { qos: 1 });
      return;
    }
    if (Date.parse(cmd.deadline) < this.o.clock.now()) {
      return this.reply({
        id: cmd.id,
        status: 'rejected',
        error: { code: ERROR_CODES.expired, message: `received after its deadline ${cmd.deadline}` },
      });
    }
    if (cmd.action === 'abort') return this.abort(cmd);
    const action = this.o.model.actions[cmd.action];
    if (!action) {
      return this.reply({
        id: cmd.id,
        status: 'rejected',
        error: { code: ERROR_CODES.unknownAction, message: `no action "${cmd.action}"` },
      });
    }
    const problem = checkParams(action, cmd.params);
    if (problem)
      return this.reply({
        id: cmd.id,
        status: 'rejected',
        error: { code: ERROR_CODES.badParameter, message: problem },
      });
    this.reply({ id: cmd.id, status: 'accepted' });
    this.queue.push(cmd);
    void this.drain();
  }

  private abort(cmd: CommandPayload): void {
    const target = typeof cmd.params['target'] === 'string' ? cmd.params['target'] : undefined;
    if (!target || this.running?.cmd.id === target)
      this.running?.controller.abort(new SimActionError(ERROR_CODES.aborted, 'aborted'));
    const queued = this.queue.findIndex((c) => c.id === target);
    if (queued >= 0) {
      const [c] = this.queue.splice(queued, 1);
      if (c)
        this.reply({
          id: c.id,
          status: 'failed',
          error: { code: ERROR_CODES.aborted, message: 'aborted before it started' },
        });
    }
    this.reply({ id: cmd.id, status: 'done', result: {} });
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    const cmd = this.queue.shift();
    if (!cmd) return;
    const controller = new AbortController();
    this.running = { cmd, controller };
    this.publishState();
    this.executed++;
    this.o.onExecute?.(cmd.id, cmd.action);
    const action = this.o.model.actions[cmd.action];
    try {
      if (!action) throw new SimActionError(ERROR_CODES.unknownAction, cmd.action);
      this.reply({ id: cmd.id, status: 'running', progress: 0 });
      const result = await action.run(cmd.params, {
        clock: this.o.clock,
        rng: this.rng,
        signal: controller.signal,
        progress: (p) => this.reply({ id: cmd.id, status: 'running', progress: Math.min(1, Math.max(0, p)) }),
        wait: (ms) => sleep(this.o.clock, ms, controller.signal),
      });
      this.reply({ id: cmd.id, status: 'done', result });
    } catch (e) {
      const code = e instanceof SimActionError ? e.code : 'INTERNAL';
      const message = e instanceof Error ? e.message : String(e);
      this.reply({ id: cmd.id, status: 'failed', error: { code, message } });
    } finally {
      this.running = undefined;
      this.publishState();
      void this.drain();
    }
  }

  private scheduleTelemetry(): void {
    const period = this.o.model.telemetryPeriodMs;
    if (period <= 0) return;
    this.telemetryTimer = this.o.clock.setTimer(period, () => {
      if (this.client?.connected) {
        const t = new Date(this.o.clock.now()).toISOString();
        for (const [name, r] of Object.entries(this.o.model.readings)) {
          const v = r.sample(this.o.clock.now(), this.rng);
          this.client.publish(this.topics.telemetry(name), JSON.stringify({ t, v }), { qos: 0 });
        }
      }
      if (this.client) this.scheduleTelemetry();
    });
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
