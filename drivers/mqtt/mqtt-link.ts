/**
 * One MQTT client per broker, shared by every instrument on it. Clean sessions and resubscription on reconnect;
 * TCP_NODELAY on each new socket; never publishes while disconnected (mqtt.js would queue the message and deliver it
 * late), so the caller decides again after a reconnect.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';
import { LabError } from '../../src/common/lab-error.js';
import type { MqttTransport } from '../../src/lab/instrument-driver.port.js';
import { topicMatches } from './mqtt.contract.js';

export interface MqttLinkOptions {
  url: string;
  username?: string;
  password?: string;
  topicPrefix: string;
  clientId?: string;
  /** Extra mqtt.js options (TLS material, will). */
  client?: Partial<IClientOptions>;
}

type Handler = (topic: string, payload: Buffer) => void;

export class MqttLink implements MqttTransport {
  readonly topicPrefix: string;
  private readonly client: MqttClient;
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly connectedSubject = new BehaviorSubject(false);

  constructor(readonly options: MqttLinkOptions) {
    this.topicPrefix = options.topicPrefix;
    this.client = connect(options.url, {
      clientId: options.clientId ?? `labloop-${randomBytes(6).toString('hex')}`,
      username: options.username,
      password: options.password,
      clean: true,
      resubscribe: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      keepalive: 10,
      queueQoSZero: false,
      ...options.client,
    });
    this.client.on('connect', () => {
      (this.client.stream as Partial<Socket>).setNoDelay?.(true);
      this.connectedSubject.next(true);
    });
    this.client.on('close', () => this.connectedSubject.next(false));
    this.client.on('offline', () => this.connectedSubject.next(false));
    // Errors surface as disconnects and are retried; the 'error' listener keeps them from crashing the process.
    this.client.on('error', () => undefined);
    this.client.on('message', (topic, payload) => this.dispatch(topic, payload));
  }

  get connected(): boolean {
    return this.client.connected;
  }

  get connected$(): Observable<boolean> {
    return this.connectedSubject.pipe(distinctUntilChanged());
  }

  /** Resolves on the first connection, or rejects after `timeoutMs`. */
  waitConnected(timeoutMs: number): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.unsubscribe();
        reject(new LabError('INSTRUMENT_OFFLINE', `cannot reach the MQTT broker at ${this.options.url}`));
      }, timeoutMs);
      const sub = this.connectedSubject.subscribe((up) => {
        if (!up) return;
        clearTimeout(timer);
        queueMicrotask(() => sub.unsubscribe());
        resolve();
      });
    });
  }

  subscribe(filter: string, handler: Handler): () => void {
    let set = this.handlers.get(filter);
    if (!set) {
      set = new Set();
      this.handlers.set(filter, set);
      this.client.subscribe(filter, { qos: 1 }, () => undefined);
    }
    set.add(handler);
    return () => {
      const s = this.handlers.get(filter);
      s?.delete(handler);
      if (s && s.size === 0) {
        this.handlers.delete(filter);
        if (this.client.connected) this.client.unsubscribe(filter, () => undefined);
      }
    };
  }

  publish(topic: string, payload: string, qos: 0 | 1, retain = false): Promise<void> {
    if (!this.client.connected) {
      return Promise.reject(
        new LabError('INSTRUMENT_OFFLINE', `not connected to the MQTT broker at ${this.options.url}`),
      );
    }
    return new Promise((resolve, reject) => {
      this.client.publish(topic, payload, { qos, retain }, (err) => (err ? reject(err) : resolve()));
    });
  }

  async close(): Promise<void> {
    this.connectedSubject.next(false);
    this.connectedSubject.complete();
    await this.client.endAsync(true);
  }

  private dispatch(topic: string, payload: Buffer): void {
    for (const [filter, set] of this.handlers) {
      if (!topicMatches(filter, topic)) continue;
      for (const h of set) h(topic, payload);
    }
  }
}
