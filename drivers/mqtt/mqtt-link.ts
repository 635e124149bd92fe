/**
 * One MQTT client per broker, shared by every instrument on it. Clean sessions and resubscription on reconnect;
 * TCP_NODELAY on each new socket (plain or TLS); never publishes while disconnected (mqtt.js would queue the message
 * and deliver it late), so the caller decides again after a reconnect. Incoming messages are routed through a topic
 * trie, so the cost of a message does not grow with the number of instruments.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import { BehaviorSubject, distinctUntilChanged, type Observable } from 'rxjs';
import { LabError } from '../../src/common/lab-error.js';
import type { MqttTransport } from '../../src/lab/instrument-driver.port.js';
import { TopicRouter } from './topic-router.js';

export interface MqttLinkOptions {
  url: string;
  username?: string;
  password?: string;
  topicPrefix: string;
  clientId?: string;
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized: boolean };
  /** Extra mqtt.js options (a will, timings). */
  client?: Partial<IClientOptions>;
}

type Handler = (topic: string, payload: Buffer) => void;

export class MqttLink implements MqttTransport {
  readonly topicPrefix: string;
  private readonly client: MqttClient;
  private readonly router = new TopicRouter();
  private readonly connectedSubject = new BehaviorSubject(false);
  private lastError?: string;

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
      ...(options.tls ?? {}),
      ...options.client,
    });
    this.client.on('connect', () => {
      noDelay(this.client.stream);
      this.lastError = undefined;
      this.connectedSubject.next(true);
    });
    this.client.on('close', () => this.connectedSubject.next(false));
    this.client.on('offline', () => this.connectedSubject.next(false));
    // Errors surface as disconnects and are retried; the listener keeps them from crashing the process.
    this.client.on('error', (e) => (this.lastError = e.message));
    this.client.on('message', (topic, payload) => this.router.dispatch(topic, payload));
  }

  get connected(): boolean {
    return this.client.connected;
  }

  get connected$(): Observable<boolean> {
    return this.connectedSubject.pipe(distinctUntilChanged());
  }

  /** Why the last connection attempt failed (refused login, TLS, …), if it did. */
  get error(): string | undefined {
    return this.lastError;
  }

  /** Resolves on the first connection, or rejects after `timeoutMs` (wall time: this is about the network). */
  waitConnected(timeoutMs: number): Promise<void> {
    if (this.client.connected) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        sub.unsubscribe();
        const why = this.lastError ? ` (${this.lastError})` : '';
        reject(
          new LabError('INSTRUMENT_OFFLINE', `cannot reach the MQTT broker at ${this.options.url}${why}`),
        );
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
    if (this.router.add(filter, handler)) this.client.subscribe(filter, { qos: 1 }, () => undefined);
    return () => {
      if (this.router.remove(filter, handler) && this.client.connected)
        this.client.unsubscribe(filter, () => undefined);
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
}

/** TCP_NODELAY on a plain or TLS socket (a TLSSocket is a net.Socket and passes it to the TCP handle). */
export function noDelay(stream: unknown): void {
  (stream as Partial<Socket>).setNoDelay?.(true);
}
