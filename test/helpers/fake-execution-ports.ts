/** In-memory ports for the plan runner: a journal with the store's semantics, scripted instruments, readings, operators. */
import { randomUUID } from 'node:crypto';
import { InstrumentLock } from '../../src/lab/instrument-lock.js';
import type {
  CommandOutcome,
  CommandRequest,
  ExecuteOptions,
  Reconciliation,
} from '../../src/lab/instrument-driver.port.js';
import type {
  ExecutionPorts,
  ExperimentHistory,
  ManualPort,
  OperatorAnswer,
  ReadingPort,
  Sample,
  StepJournal,
  StepOwner,
} from '../../src/execution/execution.ports.js';
import type { CommandFinish, NewCommand, StepFinish } from '../../src/store/journal.service.js';
import type { CommandRecord, StepRecord } from '../../src/store/store.records.js';
import type { ManualClock } from './manual-clock.js';

export class MemoryJournal implements StepJournal {
  readonly steps = new Map<string, StepRecord>();
  readonly commands: CommandRecord[] = [];
  readonly holds: string[] = [];
  readonly writes: string[] = [];

  constructor(private readonly clock: ManualClock) {}

  history(): ExperimentHistory {
    const commands = new Map<string, CommandRecord[]>();
    for (const c of this.commands) commands.set(c.step, [...(commands.get(c.step) ?? []), { ...c }]);
    return { steps: new Map([...this.steps].map(([k, v]) => [k, { ...v }])), commands };
  }

  startStep(e: StepOwner, key: string, kind: string, detail?: unknown): StepRecord {
    const old = this.steps.get(key);
    const step: StepRecord = {
      experimentId: e.id,
      key,
      kind,
      status: 'running',
      attempts: old && old.status !== 'held' ? old.attempts + 1 : 1,
      startedAt: this.clock.now(),
      finishedAt: null,
      result: null,
      error: null,
      detail: detail ?? null,
    };
    this.steps.set(key, step);
    this.writes.push(`start ${key}`);
    return { ...step };
  }

  finishStep(_e: StepOwner, key: string, f: StepFinish, hold?: { reason: string }): void {
    const s = this.steps.get(key);
    if (!s) throw new Error(`no step ${key}`);
    Object.assign(s, {
      status: f.status,
      result: f.result ?? null,
      error: f.error ?? null,
      finishedAt: this.clock.now(),
    });
    if (hold) this.holds.push(hold.reason);
    this.writes.push(`${f.status} ${key}`);
  }

  decide(e: StepOwner, key: string, kind: string, result: unknown): void {
    this.steps.set(key, {
      experimentId: e.id,
      key,
      kind,
      status: 'done',
      attempts: 1,
      startedAt: this.clock.now(),
      finishedAt: this.clock.now(),
      result,
      error: null,
      detail: null,
    });
    this.writes.push(`decide ${key} ${JSON.stringify(result)}`);
  }

  createCommand(e: StepOwner, c: NewCommand, startsAttempt: boolean): CommandRecord {
    if (startsAttempt) this.startStep(e, c.step, 'action');
    const cmd: CommandRecord = {
      id: randomUUID(),
      ...c,
      status: 'pending',
      result: null,
      error: null,
      sends: 1,
      createdAt: this.clock.now(),
      finishedAt: null,
    };
    this.commands.push(cmd);
    this.writes.push(`command ${c.step} ${c.instrument}.${c.action} ${JSON.stringify(c.params)}`);
    return { ...cmd };
  }

  finishCommand(e: StepOwner, cmd: CommandRecord, f: CommandFinish, step?: StepFinish): void {
    const c = this.commands.find((x) => x.id === cmd.id);
    if (!c || c.status !== 'pending') throw new Error(`command ${cmd.id} is already finished`);
    Object.assign(c, {
      status: f.status,
      result: f.result ?? null,
      error: f.error ?? null,
      finishedAt: this.clock.now(),
    });
    if (step) this.finishStep(e, cmd.step, step);
  }

  countResend(id: string): void {
    const c = this.commands.find((x) => x.id === id);
    if (c) c.sends++;
  }
}

export type Behaviour = (req: CommandRequest, clock: ManualClock) => Promise<CommandOutcome> | CommandOutcome;

/** Instruments whose actions answer as scripted; every request is recorded with its start and end times. */
export class ScriptedInstruments {
  readonly requests: {
    instrument: string;
    request: CommandRequest;
    start: number;
    end?: number;
    resent: boolean;
  }[] = [];
  private readonly locks = new Map<string, InstrumentLock>();

  constructor(
    private readonly clock: ManualClock,
    private readonly behaviours: Record<string, Behaviour>,
  ) {}

  /** Like an MQTT instrument: a pending command can always be sent again with its id. */
  reconcile(): Promise<Reconciliation> {
    return Promise.resolve({ kind: 'resend' });
  }

  reserve(instrument: string, signal: AbortSignal): Promise<() => void> {
    const lock = this.locks.get(instrument) ?? new InstrumentLock(1);
    this.locks.set(instrument, lock);
    return lock.acquire(signal);
  }

  async execute(
    instrument: string,
    request: CommandRequest,
    options: ExecuteOptions,
  ): Promise<CommandOutcome> {
    const entry = { instrument, request, start: this.clock.now(), resent: options.alreadySent === true };
    this.requests.push(entry);
    options.onSend?.(options.alreadySent === true);
    const b = this.behaviours[`${instrument}.${request.action}`];
    const outcome = b ? await b(request, this.clock) : { status: 'done' as const, result: {} };
    Object.assign(entry, { end: this.clock.now() });
    return outcome;
  }
}

/** Takes `ms` of lab time, then answers `outcome`. */
export function takes(ms: number, outcome: (req: CommandRequest) => CommandOutcome): Behaviour {
  return (req, clock) => new Promise((resolve) => clock.setTimer(ms, () => resolve(outcome(req))));
}

export class FakeReadings implements ReadingPort {
  private readonly values = new Map<string, Sample>();
  private readonly watchers = new Map<string, Set<() => void>>();

  constructor(private readonly clock: ManualClock) {}

  set(instrument: string, reading: string, value: unknown, valid = true): void {
    if (valid) this.values.set(`${instrument}.${reading}`, { value, receivedAt: this.clock.now() });
    else this.values.delete(`${instrument}.${reading}`);
    for (const fn of [...(this.watchers.get(instrument) ?? [])]) fn();
  }

  latest(instrument: string, reading: string): Sample | undefined {
    return this.values.get(`${instrument}.${reading}`);
  }

  watch(instrument: string, fn: () => void): () => void {
    const set = this.watchers.get(instrument) ?? new Set();
    set.add(fn);
    this.watchers.set(instrument, set);
    return () => set.delete(fn);
  }
}

export class FakeOperators implements ManualPort {
  private readonly waiting = new Map<string, (a: OperatorAnswer) => void>();

  answer(_e: StepOwner, key: string, signal: AbortSignal): Promise<OperatorAnswer> {
    return new Promise((resolve, reject) => {
      signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
      this.waiting.set(key, resolve);
    });
  }

  get keys(): string[] {
    return [...this.waiting.keys()];
  }

  confirm(key: string, answer: OperatorAnswer = { ok: true, by: 'ana' }): void {
    const r = this.waiting.get(key);
    if (!r) throw new Error(`step ${key} does not wait for an operator`);
    this.waiting.delete(key);
    r(answer);
  }
}

export function fakePorts(
  clock: ManualClock,
  behaviours: Record<string, Behaviour>,
): ExecutionPorts & {
  journal: MemoryJournal;
  instruments: ScriptedInstruments;
  readings: FakeReadings;
  operators: FakeOperators;
} {
  return {
    clock,
    journal: new MemoryJournal(clock),
    instruments: new ScriptedInstruments(clock, behaviours),
    readings: new FakeReadings(clock),
    operators: new FakeOperators(),
    dispatchWindowMs: 60_000,
  };
}
