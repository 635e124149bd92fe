/**
 * A simulated instrument on the MQTT contract v1, the instrument's side: retained state and describe, a last will,
 * commands answered accepted → running → done | failed, idempotent ids, deadlines, abort, telemetry. One command
 * runs at a time; others queue. Runs any SimModel, and misbehaves as its InstrumentFaults say (offline, late,
 * silent, errors, garbage, drift, clogs, stuck).
 *
 * Randomness: each command draws from its own stream, derived from the seed and the command's sequence number, and
 * telemetry from another; so the results of a run do not depend on how many telemetry samples fell in between.
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
import { garbagePayload, withBias } from './fault-effects.js';
import type { InstrumentFaults } from './instrument-faults.js';
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
  faults?: InstrumentFaults;
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
  /** Commands received and held back (a late fault) before their first reply: a repeat waits for that reply. */
  private readonly pending = new Set<string>();
  /** Commands a fault swallowed: a repeat of their id is swallowed too. */
  private readonly swallowed = new Set<string>();
  /** Commands whose replies a fault turns into garbage (the memory keeps the truth). */
  private readonly garbled = new Set<string>();
  private readonly hang = new Set<string>();
  private running?: Running;
  private telemetryTimer?: Timer;
  private readonly telemetryRng: SeededRandom;
  private executed = 0;
  private garbageSent = 0;
  private stopped = false;
  private offline = false;

  constructor(private readonly o: MqttSimOptions) {
    this.topics = instrumentTopics(o.topicPrefix ?? 'labloop', o.id);
    this.telemetryRng = new SeededRandom(deriveSeed(o.seed, o.id, 'telemetry'));
  }

  get id(): string {
    return this.o.id;
  }

  /** Commands actually executed (never counts a repeated id). */
  get executedCount(): number {
    return this.executed;
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
    const imposed = this.o.faults?.condition();
    const state = imposed?.state ?? (this.running ? 'busy' : 'idle');
    const text = imposed?.detail ?? detail;
    this.publishRetained(this.topics.state, { online: true, state, ...(text ? { detail: text } : {}) });
  }

  private publishRetained(topic: string, payload: object): void {
    this.client?.publish(topic, JSON.stringify(payload), { qos: 1, retain: true });
  }

  private reply(r: ReplyPayload): void {
    this.memory.set(r);
    if (!this.client?.connected) return;
    const payload = this.garbled.has(r.id) ? garbagePayload(this.garbageSent++) : JSON.stringify(r);
    this.client.publish(this.topics.reply, payload, { qos: 1 });
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
    if (this.swallowed.has(cmd.id) || this.pending.has(cmd.id)) return;
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
    this.applyFaults(cmd);
  }

  /** What the instrument's faults make of a valid command, before it is accepted. */
  private applyFaults(cmd: CommandPayload): void {
    const effects = this.o.faults?.onCommand(cmd.action) ?? [];
    let delayMs = 0;
    for (const e of effects) {
      switch (e.kind) {
        case 'drop':
          this.swallowed.add(cmd.id);
          return;
        case 'late':
          delayMs += e.delayMs;
          break;
        case 'error':
          return this.later(
            delayMs,
            () => {
              if (e.status === 'failed') this.reply({ id: cmd.id, status: 'accepted' });
              this.reply({ id: cmd.id, status: e.status, error: { code: e.code, message: e.message } });
            },
            cmd.id,
          );
        case 'garbage':
          this.garbled.add(cmd.id);
          break;
        case 'stuck':
          this.hang.add(cmd.id);
          break;
      }
    }
    this.later(delayMs, () => this.accept(cmd), cmd.id);
  }

  /** Runs `fn` after `ms` of lab time; a repeat of the command meanwhile is ignored, as it will be answered. */
  private later(ms: number, fn: () => void, id?: string): void {
    if (ms <= 0) return fn();
    if (id) this.pending.add(id);
    this.o.clock.setTimer(ms, () => {
      if (id) this.pending.delete(id);
      fn();
    });
  }

  private accept(cmd: CommandPayload): void {
    const blocked = this.o.faults?.blockedBy(cmd.action);
    if (blocked) {
      this.reply({ id: cmd.id, status: 'accepted' });
      this.reply({ id: cmd.id, status: 'failed', error: blocked });
      return;
    }
    this.reply({ id: cmd.id, status: 'accepted' });
    if (this.o.faults?.isReset(cmd.action)) {
      // A reset reaches a stuck instrument past its queue.
      void this.execute(cmd, new AbortController());
      return;
    }
    this.queue.push(cmd);
    void this.drain();
  }

  private abort(cmd: CommandPayload): void {
    const target = typeof cmd.params['target'] === 'string' ? cmd.params['target'] : undefined;
    const runningId = this.running?.cmd.id;
    if (runningId && this.hang.has(runningId) && (!target || target === runningId)) {
      this.reply({
        id: cmd.id,
        status: 'failed',
        error: { code: 'STUCK', message: `${this.o.id} does not respond to abort` },
      });
      return;
    }
    if (!target || runningId === target)
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
    try {
      await this.execute(cmd, controller);
    } finally {
      this.running = undefined;
      this.publishState();
      void this.drain();
    }
  }

  private async execute(cmd: CommandPayload, controller: AbortController): Promise<void> {
    const seq = this.executed++;
    this.o.onExecute?.(cmd.id, cmd.action);
    const action = this.o.model.actions[cmd.action];
    try {
      if (!action) throw new SimActionError(ERROR_CODES.unknownAction, cmd.action);
      this.reply({ id: cmd.id, status: 'running', progress: 0 });
      if (this.hang.has(cmd.id) && this.o.faults) {
        await this.o.faults.waitUnstuck();
        throw new SimActionError(
          'STUCK',
          `${this.o.id} was stuck and has been reset; ${cmd.action} did not run`,
        );
      }
      const result = await action.run(cmd.params, {
        clock: this.o.clock,
        rng: new SeededRandom(deriveSeed(this.o.seed, this.o.id, 'command', seq)),
        signal: controller.signal,
        bias: (reading) => this.o.faults?.bias(reading) ?? 0,
        progress: (p) => this.reply({ id: cmd.id, status: 'running', progress: Math.min(1, Math.max(0, p)) }),
        wait: (ms) => sleep(this.o.clock, ms, controller.signal),
      });
      this.reply({ id: cmd.id, status: 'done', result: this.drifted(result) });
      this.o.faults?.onActionDone(cmd.action);
    } catch (e) {
      const code = e instanceof SimActionError ? e.code : 'INTERNAL';
      const message = e instanceof Error ? e.message : String(e);
      this.reply({ id: cmd.id, status: 'failed', error: { code, message } });
    } finally {
      this.hang.delete(cmd.id);
    }
  }

  /** Result fields named like a drifting reading carry its bias. */
  private drifted(result: Record<string, unknown>): Record<string, unknown> {
    const faults = this.o.faults;
    if (!faults) return result;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(result)) out[k] = withBias(v, faults.bias(k));
    return out;
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
