/**
 * What the plan runner needs from the world, as ports: the journal (step rows and commands, written before they act),
 * the instruments (locks and guarded commands), live readings, and operators (answers to manual steps). The Nest
 * adapters in this folder implement them on the store, the instrument registry and the event bus; tests use fakes.
 */
import type { Clock } from '../common/clock.js';
import type {
  CommandOutcome,
  CommandRequest,
  ExecuteOptions,
  PendingCommand,
  Reconciliation,
} from '../lab/instrument-driver.port.js';
import type { CommandFinish, NewCommand, StepFinish, StepOwner } from '../store/journal.service.js';
import type { CommandRecord, StepRecord } from '../store/store.records.js';

export type { StepOwner, StepFinish };

export interface ExperimentHistory {
  /** Step rows by key. */
  steps: Map<string, StepRecord>;
  /** Commands by step key, oldest first. */
  commands: Map<string, CommandRecord[]>;
}

export interface StepJournal {
  /** Everything journaled for the experiment, read once when it (re)starts. */
  history(e: StepOwner): ExperimentHistory;
  // Every write resolves once it is durable (the store shares one commit among the writes of two event-loop turns).
  /** A new attempt of a leaf step begins. */
  startStep(e: StepOwner, key: string, kind: string, detail?: unknown): Promise<StepRecord>;
  /** The step ends; `hold` also holds the campaign, in the same transaction. */
  finishStep(e: StepOwner, key: string, f: StepFinish, hold?: { reason: string }): Promise<void>;
  /** A control step's decision, recorded once. */
  decide(e: StepOwner, key: string, kind: string, result: unknown): Promise<void>;
  /** Stores a command before it is sent; `startsAttempt` also starts the step's next attempt (same transaction). */
  createCommand(e: StepOwner, c: NewCommand, startsAttempt: boolean): Promise<CommandRecord>;
  /** Stores a command's outcome, and the step's when the command ends it (same transaction). */
  finishCommand(e: StepOwner, cmd: CommandRecord, f: CommandFinish, step?: StepFinish): Promise<void>;
  countResend(commandId: string): Promise<void>;
}

export interface InstrumentPort {
  /** Waits for a free slot on the instrument; resolves with the function that frees it. */
  reserve(instrument: string, signal: AbortSignal): Promise<() => void>;
  /** Sends a command through the hard-limit guard. */
  execute(instrument: string, request: CommandRequest, options: ExecuteOptions): Promise<CommandOutcome>;
  /** What became of a command an earlier process left pending: send again, found finished, or unknown. */
  reconcile(instrument: string, command: PendingCommand): Promise<Reconciliation>;
}

export interface Sample {
  value: unknown;
  /** Lab time the daemon received it. */
  receivedAt: number;
}

export interface ReadingPort {
  /** The latest valid sample, if the instrument's link has not lost it. */
  latest(instrument: string, reading: string): Sample | undefined;
  /** Calls `fn` on every sample (valid or not) of any reading of the instrument; returns the unsubscribe. */
  watch(instrument: string, fn: () => void): () => void;
}

export interface OperatorAnswer {
  ok: boolean;
  by?: string;
  note?: string;
}

export interface ManualPort {
  /** Resolves with the operator's answer to the manual step once one is journaled; rejects when `signal` aborts. */
  answer(e: StepOwner, key: string, signal: AbortSignal): Promise<OperatorAnswer>;
}

export interface ExecutionPorts {
  clock: Clock;
  journal: StepJournal;
  instruments: InstrumentPort;
  readings: ReadingPort;
  operators: ManualPort;
  /** A command is valid this long after it is stored (its deadline), lab ms. */
  dispatchWindowMs: number;
}

export interface ExecutionControl {
  /** No new step starts once this is aborted; running commands finish, waits stop (they resume after a restart). */
  drain: AbortSignal;
  /** Running commands are aborted on the instruments. */
  abort: AbortSignal;
  /**
   * A step's policy is about to hold the campaign: called before the hold is journaled, so the caller stops every
   * experiment from starting steps first (otherwise another experiment's step could start after the hold is stored).
   */
  onHold?: (reason: string) => void;
}
