/**
 * Drives one instrument over the MQTT contract v1: publishes commands with their id and deadline, follows the
 * replies, tracks the retained state and describe, and streams telemetry. A command that has not finished is sent
 * again with the same id after a reconnect or when the instrument comes back online: the contract makes that safe,
 * and for the same reason a command left pending by a crash can always be re-sent (`reconcile`).
 */
import { randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { Subscription } from 'rxjs';
import type { Timer } from '../../src/common/clock.js';
import { formatDuration } from '../../src/common/durations.js';
import { describeError, LabError } from '../../src/common/lab-error.js';
import type {
  AbortDelivery,
  CommandOutcome,
  CommandRequest,
  DriverContext,
  ExecuteOptions,
  InstrumentDriver,
  MqttTransport,
  Reconciliation,
} from '../../src/lab/instrument-driver.port.js';
import { DriverBase } from '../../src/lab/instrument-driver.base.js';
import {
  decode,
  describePayload,
  instrumentTopics,
  replyPayload,
  statePayload,
  telemetryPayload,
  type ReplyPayload,
} from './mqtt.contract.js';

/** How long to wait for the first reply to a command before calling the instrument unresponsive. */
export const DEFAULT_REPLY_TIMEOUT_MS = 10_000;

interface Inflight {
  request: CommandRequest;
  options: ExecuteOptions;
  acknowledged: boolean;
  sends: number;
  resolve: (o: CommandOutcome) => void;
  timers: Timer[];
  ackTimer?: Timer;
  cleanup: () => void;
}

export class MqttInstrumentDriver extends DriverBase implements InstrumentDriver {
  private readonly logger: Logger;
  private readonly link: MqttTransport;
  private readonly topics: ReturnType<typeof instrumentTopics>;
  private readonly inflight = new Map<string, Inflight>();
  private readonly unsubscribers: (() => void)[] = [];
  private linkSubscription?: Subscription;
  /** A retained state has arrived: until then the instrument's presence is unknown, and commands are sent anyway. */
  private stateKnown = false;
  private malformed = 0;

  constructor(
    ctx: DriverContext,
    private readonly replyTimeoutMs = DEFAULT_REPLY_TIMEOUT_MS,
  ) {
    super(ctx);
    this.logger = new Logger(`mqtt:${ctx.id}`);
    if (ctx.spec.driver !== 'mqtt') throw new Error(`instrument ${ctx.id} does not use the mqtt driver`);
    this.link = ctx.transports.mqtt(ctx.spec.broker);
    this.topics = instrumentTopics(ctx.spec.topicPrefix ?? this.link.topicPrefix, ctx.id);
  }

  /** Malformed messages received from this instrument so far (each is logged and ignored). */
  get malformedCount(): number {
    return this.malformed;
  }

  connect(): Promise<void> {
    const on = (topic: string, fn: (topic: string, payload: Buffer) => void): void => {
      this.unsubscribers.push(this.link.subscribe(topic, fn));
    };
    on(this.topics.state, (_, p) => this.onState(p));
    on(this.topics.describe, (_, p) => this.onDescribe(p));
    on(this.topics.reply, (_, p) => this.onReply(p));
    on(this.topics.telemetryAll, (t, p) => this.onTelemetry(t, p));
    this.linkSubscription = this.link.connected$.subscribe((up) => this.onLink(up));
    return Promise.resolve();
  }

  async close(): Promise<void> {
    this.linkSubscription?.unsubscribe();
    for (const u of this.unsubscribers.splice(0)) u();
    for (const entry of [...this.inflight.values()]) {
      this.finish(entry, {
        status: 'timeout',
        error: { code: 'SHUTTING_DOWN', message: 'the driver closed before a final reply' },
      });
    }
    this.completeStreams();
    return Promise.resolve();
  }

  execute(request: CommandRequest, options: ExecuteOptions = {}): Promise<CommandOutcome> {
    if (this.inflight.has(request.id)) {
      return Promise.reject(
        new LabError('CONFLICT', `command ${request.id} is already in flight on ${this.id}`),
      );
    }
    return new Promise<CommandOutcome>((resolve) => {
      const entry: Inflight = {
        request,
        options,
        acknowledged: false,
        sends: 0,
        resolve,
        timers: [],
        cleanup: () => undefined,
      };
      this.inflight.set(request.id, entry);
      entry.timers.push(this.ctx.clock.setTimer(request.timeoutMs, () => this.onTimeout(entry)));
      const signal = options.signal;
      if (signal) {
        const onAbort = (): void => void this.abort(request.id);
        signal.addEventListener('abort', onAbort, { once: true });
        entry.cleanup = () => signal.removeEventListener('abort', onAbort);
      }
      if (this.send(entry)) return;
      this.heldBack(entry);
    });
  }

  async abort(target?: string): Promise<AbortDelivery> {
    if (!this.link.connected) return { delivered: false, reason: `${this.id}: not connected to its broker` };
    const payload = {
      id: randomUUID(),
      action: 'abort',
      params: target ? { target } : {},
      deadline: new Date(this.ctx.clock.now() + this.replyTimeoutMs).toISOString(),
    };
    try {
      await this.link.publish(this.topics.cmd, JSON.stringify(payload), 1);
      return { delivered: true };
    } catch (e) {
      this.logger.warn(`abort not sent: ${describeError(e)}`);
      return { delivered: false, reason: describeError(e) };
    }
  }

  /** The contract makes every command id idempotent: re-sending is always safe; the instrument answers its status. */
  reconcile(): Promise<Reconciliation> {
    return Promise.resolve({ kind: 'resend' });
  }

  /** Could not be sent now: fail at once or wait (bounded), as the command's offline policy says. */
  private heldBack(entry: Inflight): void {
    const policy = entry.options.offline ?? { policy: 'wait' };
    const why = this.link.connected ? `${this.id} is offline` : `the link to ${this.id}'s broker is down`;
    if (policy.policy === 'fail') {
      this.finish(entry, {
        status: 'failed',
        error: { code: 'INSTRUMENT_OFFLINE', message: `${why}; not sent` },
      });
      return;
    }
    const wait = policy.maxWaitMs;
    if (wait !== undefined && wait < entry.request.timeoutMs) {
      entry.timers.push(
        this.ctx.clock.setTimer(wait, () => {
          if (entry.sends > 0) return;
          this.finish(entry, {
            status: 'timeout',
            error: { code: 'INSTRUMENT_OFFLINE', message: `${why}; not sent within ${formatDuration(wait)}` },
          });
        }),
      );
    }
  }

  private onTimeout(entry: Inflight): void {
    const { request } = entry;
    // Given up on: make sure it never runs (or stops running), or a retry would run beside it.
    if (entry.sends > 0) void this.abort(request.id);
    this.finish(entry, {
      status: 'timeout',
      error:
        entry.sends === 0
          ? {
              code: 'INSTRUMENT_OFFLINE',
              message: `${this.id} could not be reached within ${formatDuration(request.timeoutMs)}; not sent`,
            }
          : {
              code: 'INSTRUMENT_TIMEOUT',
              message: `${this.id} gave no final reply to ${request.action} within ${formatDuration(request.timeoutMs)}`,
            },
    });
  }

  /** Publishes now if the link is up and the instrument is not known to be offline; says whether it did. */
  private send(entry: Inflight): boolean {
    if (!this.link.connected || (this.stateKnown && !this.status().online)) return false;
    const { request } = entry;
    const payload = JSON.stringify({
      id: request.id,
      action: request.action,
      params: request.params,
      deadline: new Date(request.deadline).toISOString(),
    });
    const resend = entry.sends > 0 || entry.options.alreadySent === true;
    entry.sends++;
    this.link.publish(this.topics.cmd, payload, 1).catch((e: unknown) => {
      this.logger.warn(`command ${request.id} not sent (${describeError(e)}); it is sent again on reconnect`);
    });
    entry.options.onSend?.(resend);
    this.ctx.events.emit('command.sent', {
      commandId: request.id,
      instrument: this.id,
      action: request.action,
      resend,
    });
    entry.ackTimer?.cancel();
    if (!entry.acknowledged) {
      entry.ackTimer = this.ctx.clock.setTimer(this.replyTimeoutMs, () => this.onAckTimeout(entry));
    }
    return true;
  }

  private onAckTimeout(entry: Inflight): void {
    if (entry.acknowledged || !this.inflight.has(entry.request.id)) return;
    const st = this.status();
    // Only an instrument we can reach and that says it is online is unresponsive; otherwise keep waiting for it.
    if (!this.link.connected || !st.online) return;
    // It may still be accepted late: abort it by id, so that a retry never runs beside it.
    void this.abort(entry.request.id);
    this.finish(entry, {
      status: 'timeout',
      error: {
        code: 'INSTRUMENT_TIMEOUT',
        message: `${this.id} did not acknowledge ${entry.request.action} within ${formatDuration(this.replyTimeoutMs)}`,
      },
    });
  }

  private finish(entry: Inflight, outcome: CommandOutcome): void {
    if (!this.inflight.delete(entry.request.id)) return;
    for (const t of entry.timers) t.cancel();
    entry.ackTimer?.cancel();
    entry.cleanup();
    entry.resolve(outcome);
  }

  private onLink(up: boolean): void {
    const previous = this.status();
    this.setStatus({ ...previous, link: up, ...(up ? {} : { online: false }) });
    if (!up) {
      this.readings.invalidate();
      return;
    }
    for (const entry of this.inflight.values()) this.send(entry);
  }

  private onState(payload: Buffer): void {
    const d = decode(statePayload, payload);
    if (!d.ok) return this.malformedMessage(this.topics.state, d.reason);
    const wasOnline = this.status().online;
    const wasKnown = this.stateKnown;
    this.stateKnown = true;
    this.setStatus({
      link: this.link.connected,
      online: d.value.online,
      state: d.value.state,
      detail: d.value.detail,
    });
    if (!d.value.online) {
      this.readings.invalidate();
      return;
    }
    if (wasOnline) return;
    // Back online after being seen offline (it may have restarted): send unfinished commands again, same ids; it
    // answers with their status. On the first state ever seen, only what was held back is sent.
    for (const entry of this.inflight.values()) if (wasKnown || entry.sends === 0) this.send(entry);
  }

  private onDescribe(payload: Buffer): void {
    const d = decode(describePayload, payload);
    if (!d.ok) return this.malformedMessage(this.topics.describe, d.reason);
    this.description.next({ model: d.value.model, actions: d.value.actions, readings: d.value.readings });
  }

  private onReply(payload: Buffer): void {
    const d = decode(replyPayload, payload);
    if (!d.ok) return this.malformedMessage(this.topics.reply, d.reason);
    const entry = this.inflight.get(d.value.id);
    if (!entry) return; // a reply to a command that already finished, or to another daemon's command
    this.applyReply(entry, d.value);
  }

  private applyReply(entry: Inflight, r: ReplyPayload): void {
    switch (r.status) {
      case 'accepted':
      case 'running':
        entry.acknowledged = true;
        entry.ackTimer?.cancel();
        entry.options.onProgress?.({ status: r.status, progress: r.progress });
        this.ctx.events.emit('command.progress', {
          commandId: r.id,
          instrument: this.id,
          status: r.status,
          progress: r.progress,
        });
        return;
      case 'done':
        return this.finish(entry, { status: 'done', result: r.result ?? {} });
      case 'failed':
      case 'rejected':
        return this.finish(entry, {
          status: r.status,
          error: r.error ?? { code: 'UNKNOWN', message: `${this.id} reported ${r.status} without an error` },
        });
    }
  }

  private onTelemetry(topic: string, payload: Buffer): void {
    const name = topic.slice(topic.lastIndexOf('/') + 1);
    const d = decode(telemetryPayload, payload);
    if (!d.ok) return this.malformedMessage(topic, d.reason);
    this.readings.push(name, d.value.v, Date.parse(d.value.t), this.status().online);
  }

  private malformedMessage(topic: string, reason: string): void {
    this.malformed++;
    this.ctx.events.emit('mqtt.malformed', { instrument: this.id, topic, reason });
    if (this.malformed <= 10 || this.malformed % 100 === 0) {
      this.logger.warn(`ignored a malformed message on ${topic} (${reason}); ${this.malformed} so far`);
    }
  }
}
