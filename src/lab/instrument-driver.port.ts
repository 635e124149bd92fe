/**
 * The driver port: what every way of talking to an instrument (MQTT, OPC UA, …) implements. Expected outcomes —
 * done, failed, rejected, timed out — are values; a driver throws only for its own faults.
 *
 * Lifecycle: a factory builds the driver, `connect()` starts it (and returns once it is under way; the link may come
 * up later and go up and down any number of times), `close()` stops it and settles every command still running.
 */
import type { Observable } from 'rxjs';
import type { Clock } from '../common/clock.js';
import type { EventBus } from '../events/event-bus.service.js';
import type { InstrumentSpec } from '../protocol/lab.schema.js';

export type InstrumentState = 'idle' | 'busy' | 'error' | 'maintenance';

export interface InstrumentStatus {
  /** The transport to the instrument is up (broker connection, OPC UA session). */
  link: boolean;
  /** The instrument says it is there (retained state / last will; OPC UA: the server reports Running). */
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

/**
 * What an instrument reports about itself, including the ranges it accepts (`min`/`max` of a parameter): the
 * effective hard limit is the lab file's limit intersected with these. An action or parameter it does not list is
 * one it does not know of (or, for OPC UA, one whose nodes could not be inspected).
 */
export interface InstrumentDescription {
  model?: string;
  /**
   * Only part of each action could be inspected (OPC UA: the parameters written or passed straight to a node or
   * method): a parameter it does not list is unknown, not missing.
   */
  partial?: boolean;
  actions: Record<string, { params: Record<string, ValueSpec>; result: Record<string, ValueSpec> }>;
  readings: Record<string, ValueSpec>;
}

export interface CommandRequest {
  /** Unique; the same id sent twice is the same command. */
  id: string;
  /** The experiment the command belongs to (LADS: the SupervisoryJobId); absent for manual commands. */
  experimentId?: string;
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

/**
 * What to do with a command whose instrument cannot be reached when it is to be sent (link down or instrument
 * offline): `wait` until it can be sent, at most `maxWaitMs` (default: the command's whole timeout), then end
 * `timeout` with INSTRUMENT_OFFLINE; `fail` ends it `failed` with INSTRUMENT_OFFLINE at once. A command already
 * delivered is followed until its timeout either way: the instrument may still be running it.
 */
export type OfflinePolicy = { policy: 'wait'; maxWaitMs?: number } | { policy: 'fail' };

export interface ExecuteOptions {
  /** Aborting sends the instrument an abort for this command. */
  signal?: AbortSignal;
  onProgress?: (p: CommandProgress) => void;
  /** Called each time the command is sent; `resend` is true from the second time on. */
  onSend?: (resend: boolean) => void;
  /**
   * The command was sent before (by an earlier process) and `reconcile` said it may be sent again or followed:
   * every send counts as a re-send, and a driver that can find a running command again attaches to it.
   */
  alreadySent?: boolean;
  /** Default: wait, bounded by the command's timeout. */
  offline?: OfflinePolicy;
}

/** A command an earlier process stored and perhaps sent, but never saw finish. */
export interface PendingCommand {
  id: string;
  experimentId?: string;
  action: string;
  params: Record<string, unknown>;
  deadline: number;
}

/**
 * What became of a pending command, as far as the driver can tell (see `InstrumentDriver.reconcile`):
 * - `resend`: sending it again is safe — the instrument recognises the id (MQTT contract), or the driver knows it
 *   never started (no LADS run carries its id). Call `execute` with `alreadySent: true`.
 * - `running`: it is still running on the instrument; `execute` with `alreadySent: true` follows it to its end
 *   without starting it again.
 * - `finished`: its final outcome was found (a LADS result).
 * - `unknown`: it may or may not have taken effect (a plain OPC UA write or method call cut by the crash); it is
 *   never repeated blindly — its experiment is marked interrupted.
 */
export type Reconciliation =
  | { kind: 'resend' }
  | { kind: 'running' }
  | { kind: 'finished'; outcome: CommandOutcome }
  | { kind: 'unknown'; reason: string };

export interface InstrumentDriver {
  readonly id: string;
  connect(): Promise<void>;
  close(): Promise<void>;
  status(): InstrumentStatus;
  readonly status$: Observable<InstrumentStatus>;
  readonly readings$: Observable<Reading>;
  /** The last value of each reading (invalid ones included, marked so). */
  latestReadings(): Reading[];
  /** What the instrument reports about itself; undefined until it has (or when it cannot say). */
  describe(): InstrumentDescription | undefined;
  /** Resolves with the description once known, or undefined after `timeoutMs` lab ms. */
  described(timeoutMs: number): Promise<InstrumentDescription | undefined>;
  execute(request: CommandRequest, options?: ExecuteOptions): Promise<CommandOutcome>;
  /** Stops `target` (or whatever runs) at once. Resolves once the stop was delivered (or could not be). */
  abort(target?: string): Promise<AbortDelivery>;
  /**
   * For a command left pending by a crash: can it be re-sent, was it found again, or is its outcome unknown?
   * Called before the command is executed again. May wait for the link (bounded by the command's deadline).
   */
  reconcile(command: PendingCommand): Promise<Reconciliation>;
}

export type AbortDelivery = { delivered: true } | { delivered: false; reason: string };

/** Files and folders a driver may use. */
export interface DriverFiles {
  /** Resolves a path written in the lab file (relative to the lab file's folder). */
  labPath(path: string): string;
  /** The data directory (OPC UA keeps its certificate store in `<dataDir>/pki`). */
  dataDir: string;
}

/** What a driver factory is given. Transports are shared per lab (one MQTT client per broker). */
export interface DriverContext {
  id: string;
  spec: InstrumentSpec;
  clock: Clock;
  events: EventBus;
  transports: TransportPool;
  files: DriverFiles;
  /** How long to wait for the first reply to a command, lab ms. */
  replyTimeoutMs: number;
  /** Tests only: accept any server certificate. Never set by the daemon. */
  acceptAnyCertificate?: boolean;
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
