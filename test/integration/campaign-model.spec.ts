/**
 * Model-based test of the campaign and experiment state machines (issue 6). fast-check generates random sequences of
 * operator and lab events — start, pause, hold, resume, abort, an interlock trip (hold or abort) and its clearing,
 * a crash and restart (at a quiet moment or in the middle of a turn), a broken and restored instrument link, an
 * instrument fault, and lab time passing — and runs them against the real system: the daemon's journal on a SQLite
 * file, CampaignService, CampaignRunner, CampaignSupervisor (the boot path), CampaignLoop, the plan runner and its
 * store journal. Only the instruments are fake: a lab that outlives the daemon, runs commands on lab time, answers
 * re-sent ids with their outcome (MQTT-like reader) or cannot tell what became of a cut command (OPC UA-like
 * handler), refuses commands while an interlock is tripped, and records every command it receives with the
 * campaign's status at that moment. A crash kills a "process generation": its clock, journal handle and instrument
 * port go silent, exactly as if the process died; a new generation boots from the journal.
 *
 * Operators and interlocks also act at awkward moments: a few event-loop turns after a timer fires, while a
 * command's record waits for its group commit, while the strategy computes.
 *
 * After every operation, read back from the journal and its event log (`checkInvariants`): one row and one legal
 * status per experiment; every `campaign.status` / `experiment.status` event is an edge of the table and the chains
 * end where the records stand; an operation the table forbids is refused with ILLEGAL_TRANSITION and changes nothing;
 * the campaign changes status by itself only as the system may (budget → completed, a step's hold policy or
 * recovery → held, each with its cause in the log since the campaign last ran: held is left only by a resume); no
 * step starts, no command is stored and no proposal is designed or started once pause, hold or abort is journaled;
 * no command reaches an instrument after an abort; never more completed experiments than the budget; after an abort,
 * once the loop has stopped, nothing is left designed or running; the daemon logs no error. At the end of each
 * sequence (but the first property's) the lab is repaired and the campaign resumed until it ends, with every
 * experiment terminal and exactly the budget completed (liveness).
 *
 * Runs: FC_RUNS (default 250 per property × 4 properties = 1,000 sequences: about 25–30 s on 2 quiet cores,
 * about a minute on busy ones; searches of 4,000 passed) and FC_SEED (printed). The examples at the end are sequences the model found; each failed before its fix.
 */
import { InterlockLatch } from '../../src/lab/interlock-latch.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger, type LoggerService } from '@nestjs/common';
import fc from 'fast-check';
import type { Clock, Timer } from '../../src/common/clock.js';
import { describeError, LabError } from '../../src/common/lab-error.js';
import {
  canTransitionCampaign,
  CAMPAIGN_STATUSES,
  EXPERIMENT_STATUSES,
  assertExperimentTransition,
  isTerminalCampaign,
  isTerminalExperiment,
  type CampaignStatus,
} from '../../src/campaign/campaign-states.js';
import { CampaignRunner } from '../../src/campaign/campaign-runner.service.js';
import { CampaignSupervisor } from '../../src/campaign/campaign-supervisor.service.js';
import { CampaignService } from '../../src/campaign/campaign.service.js';
import type { EventMap, LabEvent } from '../../src/events/event-map.js';
import { EventBus } from '../../src/events/event-bus.service.js';
import type { ExperimentExecutor } from '../../src/execution/experiment-executor.service.js';
import type { InstrumentPort } from '../../src/execution/execution.ports.js';
import { PlanRunner } from '../../src/execution/plan-runner.js';
import { StoreStepJournal } from '../../src/execution/step-journal.adapter.js';
import type {
  CommandOutcome,
  CommandRequest,
  ExecuteOptions,
  PendingCommand,
  Reconciliation,
} from '../../src/lab/instrument-driver.port.js';
import { InstrumentLock } from '../../src/lab/instrument-lock.js';
import type { InstrumentRegistry } from '../../src/lab/instrument-registry.service.js';
import { StrategyRegistry } from '../../src/optimizers/strategy-registry.service.js';
import { loadCampaignFile, type CampaignDocument } from '../../src/protocol/document.loader.js';
import { EventLogRepository } from '../../src/store/event-log.repository.js';
import { Journal, type JournalTx } from '../../src/store/journal.service.js';
import { RecordsRepository } from '../../src/store/records.repository.js';
import type { CommandRecord } from '../../src/store/store.records.js';
import { FakeOperators, FakeReadings } from '../helpers/fake-execution-ports.js';
import { ManualClock } from '../helpers/manual-clock.js';
import { startTestApp, type TestApp } from '../helpers/test-app.js';
import { tempDir } from '../helpers/temp-dir.js';

type TempDir = ReturnType<typeof tempDir>;

const MINUTE = 60_000;
const RUNS = Number(process.env['FC_RUNS'] ?? 250);
const SEED = Number(process.env['FC_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const BUDGET = 3;

// ---------------------------------------------------------------------------------------------------------------
// The lab: documents

const LAB = `kind: lab
version: 1
name: model
instruments:
  handler:
    driver: mqtt
    actions:
      dispense:
        params: { volume: { type: number, unit: uL } }
        result: { dispensed: { type: number, unit: uL } }
    limits:
      volume: { min: 0, max: 1000 }
  reader:
    driver: mqtt
    actions:
      measure:
        params: { temperature: { type: number, unit: degC } }
        result: { rate: { type: number, unit: uM/min } }
    limits:
      temperature: { min: 0, max: 100 }
`;

type Recovery = 'rerun' | 'discard' | 'hold';

/** Dose (retried once, then fails the experiment), incubate, read (a failure holds the campaign). */
function campaignYaml(recovery: Recovery, parallel: number): string {
  return `kind: campaign
version: 1
name: model-${recovery}-${parallel}
lab: lab.yaml
protocol:
  inputs:
    volume: { type: number, unit: uL, default: 50 }
    temperature: { type: number, unit: degC, default: 37 }
  steps:
    - id: dose
      instrument: handler
      action: dispense
      params: { volume: '\${inputs.volume}' }
      timeout: 10 min
      onFailure: { retry: 1, backoff: 1 min, then: fail }
    - wait: 1 min
    - id: read
      instrument: reader
      action: measure
      params: { temperature: '\${inputs.temperature}' }
      timeout: 10 min
      onFailure: hold
  outputs:
    rate: \${steps.read.result.rate}
parameters:
  volume: { type: float, min: 10, max: 100, unit: uL }
  temperature: { type: float, min: 25, max: 45, unit: degC }
objectives:
  rate: { goal: maximize }
strategy: { name: random, seed: 7 }
parallel: ${parallel}
budget: { experiments: ${BUDGET}, maxFailed: 1000 }
recovery: { interrupted: ${recovery} }
`;
}

// ---------------------------------------------------------------------------------------------------------------
// Process generations: what a kill silences

interface Generation {
  n: number;
  dead: boolean;
  timers: Set<Timer>;
}

const never = <T>(): Promise<T> => new Promise<T>(() => undefined);

/** What a killed process would see of a promise: nothing, ever. */
function guard<T>(gen: Generation, p: Promise<T>): Promise<T> {
  return p.then(
    (v) => (gen.dead ? never<T>() : v),
    (e: unknown) => (gen.dead ? never<T>() : Promise.reject(e as Error)),
  );
}

/** The daemon's clock as one process sees it: its timers die with it. */
class GenerationClock implements Clock {
  constructor(
    private readonly inner: ManualClock,
    private readonly gen: Generation,
  ) {}

  now(): number {
    return this.inner.now();
  }

  setTimer(ms: number, fn: () => void): Timer {
    const t: Timer = this.inner.setTimer(ms, () => {
      this.gen.timers.delete(t);
      if (!this.gen.dead) fn();
    });
    this.gen.timers.add(t);
    return {
      cancel: () => {
        t.cancel();
        this.gen.timers.delete(t);
      },
    };
  }
}

/**
 * The journal as one process uses it. A write still queued for the group commit when the process dies is lost with
 * it (it rolls back alone, in its savepoint); one already committed stays, but the process never learns of it.
 */
function generationJournal(real: Journal, gen: Generation): Journal {
  const alive =
    <T>(fn: (tx: JournalTx) => T) =>
    (tx: JournalTx): T => {
      if (gen.dead) throw new Error('killed');
      return fn(tx);
    };
  const handle: Pick<Journal, 'write' | 'commit'> = {
    write: (fn) => real.write(alive(fn)),
    commit: (fn) => (gen.dead ? never() : guard(gen, real.commit(alive(fn)))),
  };
  return handle as Journal;
}

/** The plan runner's journal, with a hook run once a command's record is stored and before the runner goes on. */
class HookedStepJournal extends StoreStepJournal {
  hook?: () => Promise<void>;

  override async createCommand(
    ...args: Parameters<StoreStepJournal['createCommand']>
  ): Promise<CommandRecord> {
    const cmd = await super.createCommand(...args);
    const hook = this.hook;
    this.hook = undefined;
    if (hook) await hook();
    return cmd;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The fake lab: instruments that outlive the daemon

interface DeviceCommand {
  id: string;
  outcome?: CommandOutcome;
  listeners: Set<(o: CommandOutcome) => void>;
  timer?: Timer;
}

interface Received {
  gen: number;
  instrument: string;
  id: string;
  resend: boolean;
  status: CampaignStatus | undefined;
  signalAborted: boolean;
}

/** Commands take most of an experiment's time, so a pause or a crash usually finds one in flight. */
const DURATION: Record<string, number> = { 'handler.dispense': 4 * MINUTE, 'reader.measure': 3 * MINUTE };

class FakeLab {
  link = true;
  /** The instruments' preflight answers once this settles (instant unless a test holds it). */
  preflightGate: Promise<void> = Promise.resolve();
  /** Run once while the strategy's next ask is under way. */
  askHook?: () => Promise<void>;
  tripped = false;
  readonly received: Received[] = [];
  readonly violations: string[] = [];
  private readonly device = new Map<string, DeviceCommand>();
  private readonly faults = new Set<string>();
  private readonly linkWaiters = new Set<() => void>();
  private readonly timers = new Set<Timer>();

  constructor(
    private readonly clock: ManualClock,
    readonly offline: 'wait' | 'fail',
    private readonly status: () => CampaignStatus | undefined,
  ) {}

  setLink(up: boolean): void {
    this.link = up;
    if (up) for (const w of [...this.linkWaiters]) w();
  }

  whenLinkUp(fn: () => void): () => void {
    const once = (): void => {
      this.linkWaiters.delete(once);
      fn();
    };
    this.linkWaiters.add(once);
    return () => this.linkWaiters.delete(once);
  }

  fault(instrument: string): void {
    this.faults.add(instrument);
  }

  knows(id: string): boolean {
    return this.device.has(id);
  }

  /** The port received a command (before the link decides whether it gets through). */
  receive(gen: number, instrument: string, req: CommandRequest, o: ExecuteOptions): void {
    const status = this.status();
    const r: Received = {
      gen,
      instrument,
      id: req.id,
      resend: o.alreadySent === true,
      status,
      signalAborted: o.signal?.aborted === true,
    };
    this.received.push(r);
    if (status === 'aborted')
      this.violations.push(
        `command ${instrument}.${req.action} ${req.id} (resend ${r.resend}) sent after the campaign was aborted`,
      );
  }

  /** The instrument gets the command: a known id is followed, not run again. */
  deliver(instrument: string, req: CommandRequest): DeviceCommand {
    const known = this.device.get(req.id);
    if (known) return known;
    const cmd: DeviceCommand = { id: req.id, listeners: new Set() };
    this.device.set(req.id, cmd);
    if (this.tripped) {
      this.finish(cmd, {
        status: 'rejected',
        error: { code: 'INTERLOCK', message: 'interlock tripped' },
      });
      return cmd;
    }
    const failing = this.faults.delete(instrument);
    const t = this.clock.setTimer(DURATION[`${instrument}.${req.action}`] ?? MINUTE, () => {
      this.timers.delete(t);
      this.finish(
        cmd,
        failing
          ? { status: 'failed', error: { code: 'DEVICE_ERROR', message: 'scripted fault' } }
          : { status: 'done', result: resultOf(req) },
      );
    });
    cmd.timer = t;
    this.timers.add(t);
    return cmd;
  }

  abortOnDevice(cmd: DeviceCommand): void {
    if (cmd.outcome) return;
    cmd.timer?.cancel();
    this.finish(cmd, { status: 'failed', error: { code: 'ABORTED', message: 'aborted' } });
  }

  private finish(cmd: DeviceCommand, outcome: CommandOutcome): void {
    cmd.outcome = outcome;
    for (const l of [...cmd.listeners]) l(outcome);
  }

  stop(): void {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
    this.linkWaiters.clear();
  }
}

function resultOf(req: CommandRequest): Record<string, unknown> {
  if (req.action === 'dispense') return { dispensed: req.params['volume'] };
  return { rate: req.params['temperature'] };
}

/** One process's view of the lab: locks, sends over the link, the offline policy, reconciliation. */
class GenerationInstruments implements InstrumentPort {
  private readonly locks = new Map<string, InstrumentLock>();

  constructor(
    private readonly lab: FakeLab,
    private readonly gen: Generation,
    private readonly clock: Clock,
  ) {}

  reserve(instrument: string, signal: AbortSignal): Promise<() => void> {
    const lock = this.locks.get(instrument) ?? new InstrumentLock(1);
    this.locks.set(instrument, lock);
    return guard(this.gen, lock.acquire(signal));
  }

  /** The reader is MQTT-like (ids are idempotent: re-send); the handler a plain write (cut: unknowable). */
  reconcile(instrument: string, command: PendingCommand): Promise<Reconciliation> {
    if (instrument === 'handler' && this.lab.knows(command.id))
      return Promise.resolve({ kind: 'unknown', reason: 'a plain write cut by the restart' });
    return Promise.resolve({ kind: 'resend' });
  }

  execute(instrument: string, req: CommandRequest, o: ExecuteOptions): Promise<CommandOutcome> {
    if (this.gen.dead) return never();
    this.lab.receive(this.gen.n, instrument, req, o);
    const lab = this.lab;
    const p = new Promise<CommandOutcome>((resolve) => {
      let settled = false;
      let cmd: DeviceCommand | undefined;
      const cleanups: (() => void)[] = [];
      const finish = (outcome: CommandOutcome): void => {
        if (settled) return;
        settled = true;
        for (const c of cleanups.splice(0)) c();
        resolve(outcome);
      };
      const timeout = this.clock.setTimer(req.timeoutMs, () =>
        finish({ status: 'timeout', error: { code: 'TIMEOUT', message: 'no final reply in time' } }),
      );
      cleanups.push(() => timeout.cancel());
      const follow = (): void => {
        const c = lab.deliver(instrument, req);
        cmd = c;
        o.onSend?.(o.alreadySent === true);
        const reply = (outcome: CommandOutcome): void => {
          if (lab.link) finish(outcome);
          else cleanups.push(lab.whenLinkUp(() => finish(outcome)));
        };
        if (c.outcome) return reply(c.outcome);
        c.listeners.add(reply);
        cleanups.push(() => c.listeners.delete(reply));
      };
      // Like the real driver: a listener on an already aborted signal never fires.
      const signal = o.signal;
      if (signal) {
        const onAbort = (): void => {
          if (!cmd) finish({ status: 'failed', error: { code: 'ABORTED', message: 'aborted before sent' } });
          else if (lab.link) lab.abortOnDevice(cmd);
        };
        signal.addEventListener('abort', onAbort, { once: true });
        cleanups.push(() => signal.removeEventListener('abort', onAbort));
      }
      if (lab.link) follow();
      else if (lab.offline === 'fail')
        finish({ status: 'failed', error: { code: 'INSTRUMENT_OFFLINE', message: 'link down; not sent' } });
      else cleanups.push(lab.whenLinkUp(() => follow()));
    });
    return guard(this.gen, p);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The harness: one daemon (one SQLite file) for the whole file, a fresh campaign per sequence

interface Harness {
  app: TestApp;
  dir: TempDir;
  clock: ManualClock;
  journal: Journal;
  records: RecordsRepository;
  events: EventLogRepository;
  strategies: StrategyRegistry;
  bus: EventBus;
  docs: Map<string, CampaignDocument>;
  errors: string[];
}

let h: Harness;
let generations = 0;

beforeAll(async () => {
  const dir = tempDir();
  const files = join(dir.path, 'files');
  mkdirSync(files, { recursive: true });
  writeFileSync(join(files, 'lab.yaml'), LAB);
  const docs = new Map<string, CampaignDocument>();
  for (const recovery of ['rerun', 'discard', 'hold'] as const)
    for (const parallel of [1, 2]) {
      const path = join(files, `campaign-${recovery}-${parallel}.yaml`);
      writeFileSync(path, campaignYaml(recovery, parallel));
      docs.set(`${recovery}-${parallel}`, loadCampaignFile(path));
    }
  const clock = new ManualClock();
  const app = await startTestApp({ mode: 'run', dataDir: join(dir.path, 'data'), clock });
  const errors: string[] = [];
  // Thousands of sequences fail steps on purpose: keep warnings quiet, but every error the daemon logs is a finding.
  const quiet: LoggerService = {
    log: () => undefined,
    warn: () => undefined,
    debug: () => undefined,
    verbose: () => undefined,
    error: (m: unknown) => errors.push(String(m)),
  };
  Logger.overrideLogger(quiet);
  h = {
    app,
    dir,
    clock,
    journal: app.app.get(Journal),
    records: app.app.get(RecordsRepository),
    events: app.app.get(EventLogRepository),
    strategies: app.app.get(StrategyRegistry),
    bus: app.app.get(EventBus),
    docs,
    errors,
  };
  process.stdout.write(`campaign model: FC_SEED=${SEED} FC_RUNS=${RUNS}\n`);
});

afterAll(async () => {
  await h.app.close();
  h.dir.cleanup();
});

/** The daemon as one process: everything real but the instruments, on this generation's clock and journal. */
class Daemon {
  gen!: Generation;
  steps!: HookedStepJournal;
  service!: CampaignService;
  runner!: CampaignRunner;

  constructor(private readonly lab: FakeLab) {}

  /** Boots like the daemon: the supervisor resumes every campaign left running. */
  async boot(): Promise<void> {
    const gen: Generation = { n: ++generations, dead: false, timers: new Set() };
    const clock = new GenerationClock(h.clock, gen);
    const journal = generationJournal(h.journal, gen);
    this.steps = new HookedStepJournal(journal, h.records);
    const plans = new PlanRunner({
      clock,
      journal: this.steps,
      instruments: new GenerationInstruments(this.lab, gen, clock),
      readings: new FakeReadings(h.clock),
      operators: new FakeOperators(),
      dispatchWindowMs: 60_000,
    });
    const executor: Pick<ExperimentExecutor, 'execute'> = {
      execute: (e, plan, inputs, control) => plans.run(e, plan, inputs, control),
    };
    // The lab's drivers are the fake above; the preflight has nothing to compare.
    const lab = this.lab;
    const labPort: Pick<InstrumentRegistry, 'ensureLab' | 'preflight'> = {
      ensureLab: () => Promise.resolve(),
      preflight: async () => {
        await lab.preflightGate;
        return { notes: [], problems: [] };
      },
    };
    // The strategy registry's strategies, with a hook run while an ask is under way (an operator acting meanwhile).
    const strategies: Pick<StrategyRegistry, 'create'> = {
      create: async (...args) => {
        const strategy = await h.strategies.create(...args);
        const ask = strategy.ask.bind(strategy);
        strategy.ask = async (count, pending) => {
          const answer = await ask(count, pending);
          const hook = this.lab.askHook;
          this.lab.askHook = undefined;
          if (hook) await hook();
          return answer;
        };
        return strategy;
      },
    };
    this.gen = gen;
    this.runner = new CampaignRunner(
      journal,
      h.records,
      executor as ExperimentExecutor,
      strategies as StrategyRegistry,
      labPort as InstrumentRegistry,
      h.bus,
      clock,
    );
    // The model trips interlocks through the service and its fake lab; the daemon's own latch stays empty.
    this.service = new CampaignService(journal, h.records, this.runner, new InterlockLatch());
    const supervisor = new CampaignSupervisor(h.app.config, true, h.records, this.service, this.runner);
    await supervisor.onApplicationBootstrap();
  }

  /** SIGKILL: nothing of this process runs again. */
  kill(): void {
    this.gen.dead = true;
    for (const t of this.gen.timers) t.cancel();
    this.gen.timers.clear();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Operations and the model

type Op =
  | { op: 'start' | 'pause' | 'hold' | 'resume' | 'abort'; crashAfter: number | null }
  | { op: 'trip'; then: 'hold' | 'abort'; crashAfter: number | null }
  | { op: 'clearTrip' | 'disconnect' | 'reconnect' }
  | { op: 'fault'; instrument: 'handler' | 'reader' }
  | { op: 'advance'; ms: number }
  | { op: 'crash'; ms: number; turns: number }
  /** An operator or an interlock acting in the middle of a turn: `turns` event-loop turns after lab time `ms`. */
  | { op: 'at'; ms: number; turns: number; act: Action }
  /** An operator or an interlock acting while a command's record waits for its group commit (within `ms`). */
  | { op: 'onStore'; ms: number; act: Action }
  /** An operator or an interlock acting while the strategy computes its next proposals (within `ms`). */
  | { op: 'onAsk'; ms: number; act: Action };

type Action = 'start' | 'pause' | 'hold' | 'resume' | 'abort' | 'tripHold' | 'tripAbort';

interface Config {
  recovery: Recovery;
  parallel: number;
  offline: 'wait' | 'fail';
}

const crashAfter = fc.option(fc.integer({ min: 0, max: 12 }), { freq: 6 });
const control = (op: 'start' | 'pause' | 'hold' | 'resume' | 'abort'): fc.Arbitrary<Op> =>
  fc.record({ op: fc.constant(op), crashAfter });

const atArb: fc.Arbitrary<Op> = fc.record({
  op: fc.constant('at' as const),
  ms: fc.integer({ min: 0, max: 6 * MINUTE }),
  turns: fc.integer({ min: 0, max: 12 }),
  act: fc.constantFrom<Action>('start', 'pause', 'pause', 'hold', 'resume', 'resume', 'abort', 'tripHold'),
});

const onStoreArb: fc.Arbitrary<Op> = fc.record({
  op: fc.constant('onStore' as const),
  ms: fc.integer({ min: 0, max: 6 * MINUTE }),
  act: fc.constantFrom<Action>('pause', 'hold', 'abort', 'tripHold', 'tripAbort'),
});

const onAskArb: fc.Arbitrary<Op> = fc.record({
  op: fc.constant('onAsk' as const),
  ms: fc.integer({ min: 0, max: 10 * MINUTE }),
  act: fc.constantFrom<Action>('pause', 'hold', 'abort', 'tripHold'),
});

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: onStoreArb, weight: 2 },
  { arbitrary: onAskArb, weight: 2 },
  { arbitrary: atArb, weight: 3 },
  { arbitrary: control('start'), weight: 3 },
  { arbitrary: control('pause'), weight: 3 },
  { arbitrary: control('hold'), weight: 2 },
  { arbitrary: control('resume'), weight: 4 },
  { arbitrary: control('abort'), weight: 1 },
  {
    arbitrary: fc.record({
      op: fc.constant('trip' as const),
      then: fc.constantFrom('hold' as const, 'hold' as const, 'abort' as const),
      crashAfter,
    }),
    weight: 1,
  },
  { arbitrary: fc.constant({ op: 'clearTrip' as const }), weight: 1 },
  { arbitrary: fc.constant({ op: 'disconnect' as const }), weight: 1 },
  { arbitrary: fc.constant({ op: 'reconnect' as const }), weight: 2 },
  {
    arbitrary: fc.record({
      op: fc.constant('fault' as const),
      instrument: fc.constantFrom('handler' as const, 'reader' as const),
    }),
    weight: 1,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('advance' as const),
      ms: fc.integer({ min: 0, max: 20 * MINUTE }),
    }),
    weight: 7,
  },
  {
    arbitrary: fc.record({
      op: fc.constant('crash' as const),
      ms: fc.integer({ min: 0, max: 12 * MINUTE }),
      turns: fc.integer({ min: 0, max: 25 }),
    }),
    weight: 2,
  },
);

const configArb: fc.Arbitrary<Config> = fc.record({
  recovery: fc.constantFrom('rerun' as const, 'discard' as const, 'hold' as const),
  parallel: fc.constantFrom(1, 2),
  offline: fc.constantFrom('wait' as const, 'fail' as const),
});

/** What an operation does to a campaign in status `s`: its new status, or refused with ILLEGAL_TRANSITION. */
function predict(
  op: 'start' | 'pause' | 'hold' | 'resume' | 'abort',
  s: CampaignStatus,
): CampaignStatus | 'refused' {
  switch (op) {
    case 'start':
      return s === 'draft' || s === 'paused' || s === 'running' ? 'running' : 'refused';
    case 'pause':
      return s === 'running' || s === 'paused' ? 'paused' : 'refused';
    case 'hold':
      return s === 'running' || s === 'paused' || s === 'held' ? 'held' : 'refused';
    case 'resume':
      return s === 'paused' || s === 'held' ? 'running' : 'refused';
    case 'abort':
      return s === 'completed' ? 'refused' : 'aborted';
  }
}

/** Changes the system makes by itself between operations: the budget, a step's hold policy, recovery: hold. */
const SPONTANEOUS: Record<string, boolean> = {
  'running>completed': true,
  'running>held': true,
  'paused>held': true,
};

/** Turns that let about 20 group commits in a row land (each waits two turns). */
const SETTLE_TURNS = 40;

async function turns(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}

type Ev<K extends keyof EventMap> = LabEvent<K>;

class Sequence {
  readonly lab: FakeLab;
  readonly daemon: Daemon;
  campaignId = '';
  model: CampaignStatus = 'draft';
  readonly trace: string[] = [];

  constructor(readonly cfg: Config) {
    this.lab = new FakeLab(h.clock, cfg.offline, () => h.records.campaign(this.campaignId)?.status);
    this.daemon = new Daemon(this.lab);
  }

  status(): CampaignStatus {
    const c = h.records.campaign(this.campaignId);
    if (!c) throw new Error('campaign vanished');
    return c.status;
  }

  async crashAndRestart(): Promise<void> {
    this.trace.push(`  crash (generation ${this.daemon.gen.n})`);
    this.daemon.kill();
    await this.daemon.boot();
  }

  /** The model follows what the system may do by itself, and nothing else. */
  sync(): void {
    const s = this.status();
    if (s === this.model) return;
    if (!SPONTANEOUS[`${this.model}>${s}`])
      this.fail(`the campaign went ${this.model} → ${s} without an operation that does that`);
    this.model = s;
  }

  async control(op: 'start' | 'pause' | 'hold' | 'resume' | 'abort', reason?: string): Promise<void> {
    this.sync();
    const before = this.model;
    const expected = predict(op, before);
    const eventsBefore = this.campaignEvents().length;
    const s = this.daemon.service;
    let refused: unknown;
    try {
      if (op === 'start') await s.start(this.campaignId);
      else if (op === 'resume') await s.resume(this.campaignId, reason);
      else s[op](this.campaignId, reason);
    } catch (e) {
      refused = e;
    }
    if (expected === 'refused') {
      if (!(refused instanceof LabError) || refused.code !== 'ILLEGAL_TRANSITION')
        this.fail(
          `${op} on a ${before} campaign: expected ILLEGAL_TRANSITION, got ${describeError(refused)}`,
        );
      if (this.status() !== before || this.campaignEvents().length !== eventsBefore)
        this.fail(`${op} on a ${before} campaign was refused but changed the campaign`);
      return;
    }
    if (refused !== undefined) this.fail(`${op} on a ${before} campaign failed: ${describeError(refused)}`);
    const now = this.status();
    if (now !== expected && !SPONTANEOUS[`${expected}>${now}`])
      this.fail(`${op} on a ${before} campaign left it ${now}, expected ${expected}`);
    this.model = now;
  }

  async act(a: Action): Promise<void> {
    if (a !== 'tripHold' && a !== 'tripAbort')
      return this.control(a, a === 'start' ? undefined : `operator ${a}`);
    // What an interlock does: the instruments refuse commands, the campaign is held or aborted as declared.
    this.lab.tripped = true;
    this.sync();
    if (a === 'tripHold' && (this.model === 'running' || this.model === 'paused'))
      await this.control('hold', 'interlock tripped');
    if (a === 'tripAbort' && ['running', 'paused', 'held'].includes(this.model))
      await this.control('abort', 'interlock tripped');
  }

  async apply(op: Op): Promise<void> {
    this.trace.push(JSON.stringify(op));
    switch (op.op) {
      case 'start':
      case 'pause':
      case 'hold':
      case 'resume':
      case 'abort':
        await this.control(op.op, op.op === 'start' ? undefined : `operator ${op.op}`);
        break;
      case 'trip':
        await this.act(op.then === 'hold' ? 'tripHold' : 'tripAbort');
        break;
      case 'onAsk': {
        let acted: Promise<void> | undefined;
        this.lab.askHook = () => (acted = this.act(op.act));
        await h.clock.advance(op.ms);
        this.lab.askHook = undefined;
        await acted;
        break;
      }
      case 'onStore': {
        let acted: Promise<void> | undefined;
        this.daemon.steps.hook = () => (acted = this.act(op.act));
        await h.clock.advance(op.ms);
        this.daemon.steps.hook = undefined;
        await acted;
        break;
      }
      case 'at': {
        let acted: Promise<void> | undefined;
        h.clock.setTimer(op.ms, () => {
          acted = turns(op.turns).then(() => this.act(op.act));
        });
        await h.clock.advance(op.ms);
        await acted;
        break;
      }
      case 'clearTrip':
        // Clearing never resumes by itself: `sync` fails if the campaign leaves held without an operation.
        this.lab.tripped = false;
        break;
      case 'disconnect':
        this.lab.setLink(false);
        break;
      case 'reconnect':
        this.lab.setLink(true);
        break;
      case 'fault':
        this.lab.fault(op.instrument);
        break;
      case 'advance':
        await h.clock.advance(op.ms);
        break;
      case 'crash': {
        // Killed `turns` event-loop turns after lab time `ms` comes: in the middle of whatever that time set off.
        let crashed: Promise<void> | undefined;
        h.clock.setTimer(op.ms, () => {
          crashed = turns(op.turns).then(() => this.crashAndRestart());
        });
        await h.clock.advance(op.ms);
        await crashed;
        break;
      }
    }
    if ('crashAfter' in op && op.crashAfter !== null) {
      await turns(op.crashAfter);
      await this.crashAndRestart();
    }
    await turns(SETTLE_TURNS);
    this.checkInvariants();
  }

  /** Where this sequence's part of the event log begins. */
  logFrom = 0;
  private readonly log: LabEvent[] = [];
  private readonly experimentIds = new Set<string>();

  /**
   * This campaign's events from the event table, read on from the last one seen (by primary key: the log holds
   * every earlier sequence too, and a campaign filter over it would scan it all each time).
   */
  campaignLog(): LabEvent[] {
    for (const ev of h.events.after(this.logFrom)) {
      this.logFrom = ev.id ?? this.logFrom;
      const d = ev.data as { campaignId?: string; experimentId?: string };
      if (ev.type === 'experiment.designed' && d.campaignId === this.campaignId && d.experimentId)
        this.experimentIds.add(d.experimentId);
      const ours =
        d.campaignId === this.campaignId ||
        (d.campaignId === undefined &&
          d.experimentId !== undefined &&
          this.experimentIds.has(d.experimentId));
      if (ours) this.log.push(ev);
    }
    return this.log;
  }

  campaignEvents(): LabEvent[] {
    return this.campaignLog().filter((e) => e.type === 'campaign.status');
  }

  /** Every invariant, read back from the journal and its event log. */
  checkInvariants(): void {
    this.sync();
    const problems: string[] = [...this.lab.violations];
    const experiments = h.records.experiments(this.campaignId);
    const events = this.campaignLog();
    // One row, one legal status per experiment.
    const ids = new Set(experiments.map((e) => e.id));
    const seqs = new Set(experiments.map((e) => e.seq));
    if (ids.size !== experiments.length || seqs.size !== experiments.length)
      problems.push('an experiment has more than one row');
    for (const e of experiments)
      if (!EXPERIMENT_STATUSES.includes(e.status))
        problems.push(`experiment #${e.seq} is ${String(e.status)}`);
    const c = h.records.campaign(this.campaignId);
    if (!c || !CAMPAIGN_STATUSES.includes(c.status)) problems.push(`campaign status ${String(c?.status)}`);
    // Every status change in the log is an edge of the table, and the chains end where the records stand.
    let campaign: CampaignStatus = 'draft';
    const experiment = new Map<string, string>();
    let causeSinceRunning = false;
    let storedCommands = 0;
    for (const ev of events) {
      if (ev.type === 'campaign.status') {
        const d = (ev as Ev<'campaign.status'>).data;
        if (d.from !== campaign)
          problems.push(`campaign event ${ev.id} from ${d.from}, but it was ${campaign}`);
        if (!canTransitionCampaign(d.from, d.to))
          problems.push(`campaign ${d.from} → ${d.to} is not in the table`);
        // Held is for faults, interlocks, operators and recovery: never a leftover of an earlier hold.
        const byOperator = d.reason === 'operator hold' || d.reason === 'interlock tripped';
        if (d.to === 'held' && !byOperator && !causeSinceRunning)
          problems.push(`campaign held (${d.reason ?? 'no reason'}) with no new cause since it last ran`);
        if (d.to === 'running') {
          causeSinceRunning = false;
        }
        campaign = d.to;
      } else if (ev.type === 'experiment.designed') {
        const d = (ev as Ev<'experiment.designed'>).data;
        if (experiment.has(d.experimentId)) problems.push(`experiment #${d.seq} designed twice`);
        experiment.set(d.experimentId, 'designed');
        // New proposals only while running; a rerun is decided with an interruption, which a draining loop may see.
        const allowed = d.kind === 'rerun' ? ['running', 'paused', 'held'] : ['running'];
        if (!allowed.includes(campaign))
          problems.push(
            `experiment #${d.seq} (${d.kind ?? 'design'}) designed while the campaign was ${campaign}`,
          );
      } else if (ev.type === 'experiment.status') {
        const d = (ev as Ev<'experiment.status'>).data;
        const was = experiment.get(d.experimentId);
        if (d.from !== was)
          problems.push(`experiment #${d.seq} event from ${d.from}, but it was ${String(was)}`);
        try {
          assertExperimentTransition(d.from, d.to);
        } catch {
          problems.push(`experiment #${d.seq} ${d.from} → ${d.to} is not in the table`);
        }
        experiment.set(d.experimentId, d.to);
        if (d.to === 'interrupted') causeSinceRunning = true;
        if (d.to === 'running' && campaign !== 'running')
          problems.push(`experiment #${d.seq} started while the campaign was ${campaign}`);
      } else if (ev.type === 'step.finished') {
        if ((ev as Ev<'step.finished'>).data.status === 'held') causeSinceRunning = true;
      } else if (ev.type === 'step.started' || ev.type === 'command.stored') {
        if (ev.type === 'command.stored') storedCommands++;
        // Pause, hold and abort: no new step starts (and no new command is stored) once they are journaled.
        if (campaign !== 'running')
          problems.push(
            `${ev.type} (event ${ev.id}) while the campaign was ${campaign}: ${JSON.stringify(ev.data)}`,
          );
      }
    }
    if (c && campaign !== c.status) problems.push(`campaign log ends ${campaign}, record is ${c.status}`);
    for (const e of experiments) {
      const logged = experiment.get(e.id);
      if (logged !== e.status)
        problems.push(`experiment #${e.seq} log ends ${String(logged)}, record is ${e.status}`);
    }
    const commandRows = experiments.reduce((n, e) => n + h.records.commands(e.id).length, 0);
    if (commandRows !== storedCommands)
      problems.push(`${commandRows} commands stored, ${storedCommands} in the log`);
    // The budget counts completed experiments: never more.
    const completed = experiments.filter((e) => e.status === 'completed').length;
    if (completed > BUDGET) problems.push(`${completed} experiments completed, budget ${BUDGET}`);
    // After an abort, once the loop has stopped, nothing is left designed or running.
    if (c?.status === 'aborted' && !this.daemon.runner.isRunning(this.campaignId)) {
      const open = experiments.filter((e) => !isTerminalExperiment(e.status));
      if (open.length > 0)
        problems.push(`aborted, loop stopped, yet ${open.map((e) => `#${e.seq} ${e.status}`).join(', ')}`);
    }
    const errors = h.errors.splice(0).filter((m) => !m.includes('killed'));
    for (const m of errors) problems.push(`the daemon logged an error: ${m}`);
    if (problems.length > 0) this.fail(problems.join('\n'));
  }

  /** Liveness: with the lab repaired and an operator resuming, the campaign ends, and every experiment with it. */
  async finish(): Promise<void> {
    this.trace.push('finish: repair the lab, resume, let it run');
    this.lab.tripped = false;
    this.lab.setLink(true);
    for (let i = 0; i < 100 && !isTerminalCampaign(this.status()); i++) {
      this.sync();
      if (this.model === 'draft') await this.control('start');
      else if (this.model === 'paused' || this.model === 'held')
        await this.control('resume', 'operator resume');
      else await h.clock.advance(30 * MINUTE);
      await turns(SETTLE_TURNS);
      this.checkInvariants();
    }
    const s = this.status();
    if (!isTerminalCampaign(s))
      this.fail(
        `the campaign is still ${s} after 100 resumes or half-hours (loop running: ${this.daemon.runner.isRunning(this.campaignId)})`,
      );
    await h.clock.advance(MINUTE);
    await turns(SETTLE_TURNS);
    this.checkInvariants();
    const experiments = h.records.experiments(this.campaignId);
    const open = experiments.filter((e) => !isTerminalExperiment(e.status));
    if (open.length > 0)
      this.fail(`campaign ${s}, yet ${open.map((e) => `#${e.seq} ${e.status}`).join(', ')}`);
    const completed = experiments.filter((e) => e.status === 'completed').length;
    if (s === 'completed' && completed !== BUDGET)
      this.fail(`campaign completed with ${completed} experiments completed, budget ${BUDGET}`);
  }

  /** Leaves nothing running for the next sequence (the supervisor resumes every running campaign). */
  cleanup(): void {
    this.daemon.kill();
    this.lab.stop();
    const c = h.records.campaign(this.campaignId);
    if (!c || isTerminalCampaign(c.status)) return;
    h.journal.write((tx) => {
      tx.setCampaignStatus(c.id, 'aborted', 'test cleanup');
      for (const e of h.records.experiments(c.id))
        if (!isTerminalExperiment(e.status)) tx.setExperimentStatus(e.id, 'interrupted', 'test cleanup');
    });
  }

  fail(message: string): never {
    throw new Error(
      `${message}\n--- config ${JSON.stringify(this.cfg)}; operations:\n${this.trace.join('\n')}`,
    );
  }
}

async function runSequence(cfg: Config, ops: readonly Op[], drive: boolean): Promise<void> {
  const seq = new Sequence(cfg);
  try {
    await seq.daemon.boot();
    const doc = h.docs.get(`${cfg.recovery}-${cfg.parallel}`);
    if (!doc) throw new Error('no document');
    seq.logFrom = h.events.lastId();
    seq.campaignId = seq.daemon.service.create(doc).id;
    for (const op of ops) await seq.apply(op);
    if (drive) await seq.finish();
  } finally {
    seq.cleanup();
    await turns(5);
    h.errors.splice(0);
  }
}

function check(ops: fc.Arbitrary<Op[]>, drive: boolean, numRuns = RUNS): Promise<void> {
  return fc.assert(
    fc.asyncProperty(configArb, ops, (cfg, list) => runSequence(cfg, list, drive)),
    { seed: SEED, numRuns, endOnFailure: false },
  );
}

const startFirst = (ops: Op[]): Op[] => [{ op: 'start', crashAfter: null }, ...ops];

describe('campaign state machines, model-based (real journal, loop, service and plan runner; fake instruments)', () => {
  it('random operations from a draft keep every invariant', async () => {
    await check(fc.array(opArb, { minLength: 1, maxLength: 25 }), false);
  }, 600_000);

  it('random operations on a running campaign keep every invariant, and it still ends when resumed', async () => {
    await check(fc.array(opArb, { minLength: 1, maxLength: 25 }).map(startFirst), true);
  }, 600_000);

  it('crash-heavy sequences: restarts in the middle of turns keep every invariant and the campaign ends', async () => {
    const crashy = fc.oneof(
      { arbitrary: opArb, weight: 2 },
      {
        arbitrary: fc.record({
          op: fc.constant('crash' as const),
          ms: fc.integer({ min: 0, max: 8 * MINUTE }),
          turns: fc.integer({ min: 0, max: 25 }),
        }),
        weight: 1,
      },
    );
    await check(fc.array(crashy, { minLength: 1, maxLength: 25 }).map(startFirst), true);
  }, 600_000);

  it('control-heavy sequences: pause, hold, resume and abort racing running steps keep every invariant', async () => {
    const controls = fc.oneof(
      onStoreArb,
      onAskArb,
      atArb,
      atArb,
      control('pause'),
      control('hold'),
      control('resume'),
      control('resume'),
      control('start'),
      fc.record({ op: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 2 * MINUTE }) }),
    );
    const withAbort = fc
      .tuple(fc.array(controls, { maxLength: 20 }), fc.boolean())
      .map(([ops, abort]) => startFirst(abort ? [...ops, { op: 'abort', crashAfter: null }] : ops));
    await check(withAbort, true);
  }, 600_000);
});

/** Sequences the model found, kept as examples (each failed before its fix in src). */
describe('campaign state machines: regressions the model found', () => {
  it('pause and resume twice while a step finishes: one loop, not two (duplicate experiment seq)', async () => {
    await runSequence(
      { recovery: 'rerun', parallel: 1, offline: 'wait' },
      [
        { op: 'start', crashAfter: null },
        { op: 'advance', ms: MINUTE },
        { op: 'pause', crashAfter: null },
        { op: 'resume', crashAfter: null },
        { op: 'pause', crashAfter: null },
        { op: 'resume', crashAfter: null },
      ],
      true,
    );
  });
  it('start on a paused campaign whose loop still finishes a step: a loop runs afterwards', async () => {
    await runSequence(
      { recovery: 'rerun', parallel: 1, offline: 'wait' },
      [
        { op: 'start', crashAfter: null },
        { op: 'advance', ms: MINUTE },
        { op: 'pause', crashAfter: null },
        { op: 'start', crashAfter: null },
      ],
      true,
    );
  });

  it('resume while a step held by its policy finishes: the old loop does not hold the campaign again', async () => {
    await runSequence(
      { recovery: 'hold', parallel: 2, offline: 'wait' },
      [
        { op: 'start', crashAfter: null },
        { op: 'crash', ms: 0, turns: 0 },
      ],
      true,
    );
  });

  it('abort, then a crash before the loop stopped: the restart interrupts what the abort left open', async () => {
    await runSequence(
      { recovery: 'rerun', parallel: 1, offline: 'wait' },
      [
        { op: 'start', crashAfter: null },
        { op: 'trip', then: 'abort', crashAfter: 0 },
      ],
      true,
    );
  });

  it('a step held by its policy stops the other experiments before the hold is journaled', async () => {
    await runSequence(
      { recovery: 'rerun', parallel: 2, offline: 'wait' },
      [
        { op: 'start', crashAfter: null },
        { op: 'advance', ms: 21374 },
        { op: 'fault', instrument: 'reader' },
        { op: 'advance', ms: 75896 },
        { op: 'crash', ms: 442730, turns: 0 },
        { op: 'trip', then: 'hold', crashAfter: null },
        { op: 'resume', crashAfter: null },
      ],
      true,
    );
  });

  it('abort while a command is being stored: the command is never sent', async () => {
    await runSequence(
      { recovery: 'rerun', parallel: 1, offline: 'wait' },
      [
        { op: 'start', crashAfter: null },
        { op: 'advance', ms: 47957 },
        { op: 'onStore', ms: 252043, act: 'abort' },
      ],
      true,
    );
  });

  it('pause while the campaign is being launched (instruments still checked): no loop starts until resumed', async () => {
    const seq = new Sequence({ recovery: 'rerun', parallel: 1, offline: 'wait' });
    try {
      await seq.daemon.boot();
      const doc = h.docs.get('rerun-1');
      if (!doc) throw new Error('no document');
      seq.logFrom = h.events.lastId();
      seq.campaignId = seq.daemon.service.create(doc).id;
      let release = (): void => undefined;
      seq.lab.preflightGate = new Promise<void>((r) => (release = r));
      const starting = seq.daemon.service.start(seq.campaignId);
      await turns(5);
      seq.daemon.service.pause(seq.campaignId, 'operator pause');
      release();
      await starting;
      await h.clock.advance(30 * MINUTE);
      expect(seq.status()).toBe('paused');
      expect(seq.daemon.runner.isRunning(seq.campaignId)).toBe(false);
      expect(h.records.experiments(seq.campaignId)).toEqual([]);
      seq.model = 'paused';
      seq.checkInvariants();
      await seq.finish();
    } finally {
      seq.cleanup();
    }
  });

  it('pause while the strategy computes: its proposals are neither designed nor started', async () => {
    await runSequence(
      { recovery: 'rerun', parallel: 1, offline: 'wait' },
      [
        { op: 'start', crashAfter: null },
        { op: 'onAsk', ms: 480000, act: 'pause' },
      ],
      true,
    );
  });
});
