/**
 * The driver port: what every way of talking to an instrument (MQTT, OPC UA, …) implements. Expected outcomes —
 * done, failed, rejected, timed out — are values; a driver throws only for its own faults.
 */
import type { Observable } from 'rxjs';
import type { Clock } from '../common/clock.js';
import type { EventBus } from '../events/event-bus.service.js';
import type { InstrumentSpec } from '../protocol/lab.schema.js';

export type InstrumentState = 'idle' | 'busy' | 'error' | 'maintenance';

export interface InstrumentStatus {
  /** The transport to the instrument is up (broker connection, OPC UA session). */
  link: boolean;
  /** The instrument says it is there (retained state / last will). */
  online: boolean;
  state?: InstrumentState;
  detail?: string;
}

export interface Reading {
  instrument: string;
  name: string;
  /** Lab time of the sample, ms. */
  t: number;
  value: unknown;
  /** False once the link or the instrument is lost: a reading is never served stale. */
  valid: boolean;
}

export interface ValueSpec {
  type: 'number' | 'integer' | 'string' | 'boolean';
  unit?: string;
  min?: number;
  max?: number;
  enum?: (string | number)[];
}

/** What an instrument reports about itself. */
export interface InstrumentDescription {
  model?: string;
  actions: Record<string, { params: Record<string, ValueSpec>; result: Record<string, ValueSpec> }>;
  readings: Record<string, ValueSpec>;
}

export interface CommandRequest {
  /** Unique; the same id sent twice is the same command. */
  id: string;
  action: string;
  params: Record<string, unknown>;
  /** Lab time (ms) after which the instrument must refuse to start it. */
  deadline: number;
  /** Longest the command may take from now until its final reply, lab ms. */
  timeoutMs: number;
}

export interface CommandError {
  code: string;
  message: string;
}

export type CommandOutcome =
  | { status: 'done'; result: Record<string, unknown> }
  | { status: 'failed' | 'rejected' | 'timeout'; error: CommandError };

export interface CommandProgress {
  status: 'accepted' | 'running';
  progress?: number;
}

export interface ExecuteOptions {
  /** Aborting sends the instrument an abort for this command. */
  signal?: AbortSignal;
  onProgress?: (p: CommandProgress) => void;
  /** Called each time the command is published; `resend` is true from the second time on. */
  onSend?: (resend: boolean) => void;
  /** The command was published before (by an earlier process): every publish counts as a re-send. */
  alreadySent?: boolean;
}

export interface InstrumentDriver {
  readonly id: string;
  connect(): Promise<void>;
  close(): Promise<void>;
  status(): InstrumentStatus;
  readonly status$: Observable<InstrumentStatus>;
  readonly readings$: Observable<Reading>;
  describe(): InstrumentDescription | undefined;
  execute(request: CommandRequest, options?: ExecuteOptions): Promise<CommandOutcome>;
  /** Stops `target` (or whatever runs) at once. */
  abort(target?: string): Promise<void>;
}

/** What a driver factory is given. Transports are shared per lab (one MQTT client per broker). */
export interface DriverContext {
  id: string;
  spec: InstrumentSpec;
  clock: Clock;
  events: EventBus;
  transports: TransportPool;
  /** How long to wait for the first reply to a command, lab ms. */
  replyTimeoutMs: number;
}

export interface TransportPool {
  /** The shared MQTT link for a broker of the instrument's lab ("default": the daemon's own). */
  mqtt(broker: string): MqttTransport;
}

/** The slice of an MQTT link a driver uses; implemented in drivers/mqtt. */
export interface MqttTransport {
  readonly topicPrefix: string;
  readonly connected: boolean;
  readonly connected$: Observable<boolean>;
  subscribe(topic: string, handler: (topic: string, payload: Buffer) => void): () => void;
  publish(topic: string, payload: string, qos: 0 | 1, retain?: boolean): Promise<void>;
}

export type DriverFactory = (ctx: DriverContext) => InstrumentDriver;
