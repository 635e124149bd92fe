/**
 * What a simulated instrument does with the commands it receives, apart from the wire: contract v1's rules
 * (idempotent ids, deadlines, abort, one command at a time with a queue, accepted → running → done | failed) and the
 * instrument's faults (late, silent, error, garbage, clog/jam, stuck). The transport feeds it decoded commands and
 * publishes what it answers.
 *
 * Randomness: each command draws from its own stream, derived from the seed and the command's sequence number, so
 * results do not depend on how many telemetry samples fell in between.
 */
import { sleep, type Clock } from '../../src/common/clock.js';
import { deriveSeed, SeededRandom } from '../../src/common/seeded-random.js';
import { ERROR_CODES, type CommandPayload, type ReplyPayload } from '../../drivers/mqtt/mqtt.contract.js';
import { withBias } from './fault-effects.js';
import type { InstrumentFaults } from './instrument-faults.js';
import { SimCommandMemory } from './sim-command-memory.js';
import { checkParams, SimActionError, type SimModel } from './sim-model.js';

export interface CommandOutput {
  /** A reply to publish; the processor has remembered it. `garbled`: a fault turns it into garbage on the wire. */
  reply(r: ReplyPayload, garbled: boolean): void;
  /** The remembered outcome of a repeated command id, to publish as is. */
  repeat(r: ReplyPayload): void;
  /** Busy or idle changed. */
  stateChanged(): void;
}

export interface SimCommandProcessorOptions {
  id: string;
  model: SimModel;
  clock: Clock;
  seed: number;
  faults?: InstrumentFaults;
  onExecute?: (commandId: string, action: string) => void;
}

interface Running {
  cmd: CommandPayload;
  controller: AbortController;
}

export class SimCommandProcessor {
  private readonly memory = new SimCommandMemory();
  private readonly queue: CommandPayload[] = [];
  /** Held back (a late fault) before a first reply: a repeat waits for that reply. */
  private readonly pending = new Set<string>();
  /** Swallowed by a fault: a repeat of the id is swallowed too. */
  private readonly swallowed = new Set<string>();
  /** Replies turned into garbage by a fault (the memory keeps the truth). */
  private readonly garbled = new Set<string>();
  private readonly hang = new Set<string>();
  private current?: Running;
  private executed = 0;

  constructor(
    private readonly o: SimCommandProcessorOptions,
    private readonly out: CommandOutput,
  ) {}

  get running(): boolean {
    return this.current !== undefined;
  }

  /** Commands actually executed (a repeated id never counts). */
  get executedCount(): number {
    return this.executed;
  }

  /** A payload that did not decode: rejected when it carries a usable id, ignored otherwise. */
  malformed(id: string | undefined, reason: string): void {
    if (id) this.reply({ id, status: 'rejected', error: { code: ERROR_CODES.badRequest, message: reason } });
  }

  receive(cmd: CommandPayload): void {
    if (this.swallowed.has(cmd.id) || this.pending.has(cmd.id)) return;
    const known = this.memory.get(cmd.id);
    if (known) return this.out.repeat(known); // the same id again: its outcome, never a second run
    if (Date.parse(cmd.deadline) < this.o.clock.now())
      return this.reject(cmd.id, ERROR_CODES.expired, `received after its deadline ${cmd.deadline}`);
    if (cmd.action === 'abort') return this.abort(cmd);
    const action = this.o.model.actions[cmd.action];
    if (!action) return this.reject(cmd.id, ERROR_CODES.unknownAction, `no action "${cmd.action}"`);
    const problem = checkParams(action, cmd.params);
    if (problem) return this.reject(cmd.id, ERROR_CODES.badParameter, problem);
    this.applyFaults(cmd);
  }

  /** Ends the running command (the instrument is shutting down). */
  stop(reason: Error): void {
    this.current?.controller.abort(reason);
  }

  private reply(r: ReplyPayload): void {
    this.memory.set(r);
    this.out.reply(r, this.garbled.has(r.id));
  }

  private reject(id: string, code: string, message: string): void {
    this.reply({ id, status: 'rejected', error: { code, message } });
  }

  /** What the faults make of a valid command, before it is accepted. */
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
          return this.later(delayMs, cmd.id, () => {
            if (e.status === 'failed') this.reply({ id: cmd.id, status: 'accepted' });
            this.reply({ id: cmd.id, status: e.status, error: { code: e.code, message: e.message } });
          });
        case 'garbage':
          this.garbled.add(cmd.id);
          break;
        case 'stuck':
          this.hang.add(cmd.id);
          break;
      }
    }
    this.later(delayMs, cmd.id, () => this.accept(cmd));
  }

  /** Runs `fn` after `ms` of lab time; a repeat of the command meanwhile is ignored (it will be answered). */
  private later(ms: number, id: string, fn: () => void): void {
    if (ms <= 0) return fn();
    this.pending.add(id);
    this.o.clock.setTimer(ms, () => {
      this.pending.delete(id);
      // Aborted while it waited: it never starts.
      if (isFinal(this.memory.get(id))) return;
      fn();
    });
  }

  private accept(cmd: CommandPayload): void {
    this.reply({ id: cmd.id, status: 'accepted' });
    const blocked = this.o.faults?.blockedBy(cmd.action);
    if (blocked) return this.reply({ id: cmd.id, status: 'failed', error: blocked });
    // A reset reaches a stuck instrument past its queue.
    if (this.o.faults?.isReset(cmd.action)) return void this.execute(cmd, new AbortController());
    this.queue.push(cmd);
    void this.drain();
  }

  private abort(cmd: CommandPayload): void {
    const target = typeof cmd.params['target'] === 'string' ? cmd.params['target'] : undefined;
    const runningId = this.current?.cmd.id;
    if (runningId && this.hang.has(runningId) && (!target || target === runningId))
      return this.reply({
        id: cmd.id,
        status: 'failed',
        error: { code: 'STUCK', message: `${this.o.id} does not respond to abort` },
      });
    if (!target || runningId === target)
      this.current?.controller.abort(new SimActionError(ERROR_CODES.aborted, 'aborted'));
    const queued = this.queue.findIndex((c) => c.id === target);
    if (queued >= 0) this.queue.splice(queued, 1);
    // A target queued, still being accepted, or not received yet ends here: when its command arrives (late, or
    // re-sent), the stored outcome answers it and it never runs. A swallowed one stays unanswered (it was lost).
    if (target && runningId !== target && !this.swallowed.has(target) && !isFinal(this.memory.get(target)))
      this.reply({
        id: target,
        status: 'failed',
        error: { code: ERROR_CODES.aborted, message: 'aborted before it started' },
      });
    this.reply({ id: cmd.id, status: 'done', result: {} });
  }

  private async drain(): Promise<void> {
    if (this.current) return;
    const cmd = this.queue.shift();
    if (!cmd) return;
    const controller = new AbortController();
    this.current = { cmd, controller };
    this.out.stateChanged();
    try {
      await this.execute(cmd, controller);
    } finally {
      this.current = undefined;
      this.out.stateChanged();
      void this.drain();
    }
  }

  private async execute(cmd: CommandPayload, controller: AbortController): Promise<void> {
    const seq = this.executed++;
    this.o.onExecute?.(cmd.id, cmd.action);
    const action = this.o.model.actions[cmd.action];
    const faults = this.o.faults;
    try {
      if (!action) throw new SimActionError(ERROR_CODES.unknownAction, cmd.action);
      this.reply({ id: cmd.id, status: 'running', progress: 0 });
      if (this.hang.has(cmd.id) && faults) {
        await faults.waitUnstuck();
        throw new SimActionError(
          'STUCK',
          `${this.o.id} was stuck and has been reset; ${cmd.action} did not run`,
        );
      }
      const result = await action.run(cmd.params, {
        clock: this.o.clock,
        rng: new SeededRandom(deriveSeed(this.o.seed, this.o.id, 'command', seq)),
        signal: controller.signal,
        bias: (reading) => faults?.bias(reading) ?? 0,
        progress: (p) => this.reply({ id: cmd.id, status: 'running', progress: Math.min(1, Math.max(0, p)) }),
        wait: (ms) => sleep(this.o.clock, ms, controller.signal),
      });
      // Result fields named like a drifting reading carry its bias.
      const drifted: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(result)) drifted[k] = withBias(v, faults?.bias(k) ?? 0);
      this.reply({ id: cmd.id, status: 'done', result: drifted });
      faults?.onActionDone(cmd.action);
    } catch (e) {
      const code = e instanceof SimActionError ? e.code : 'INTERNAL';
      const message = e instanceof Error ? e.message : String(e);
      this.reply({ id: cmd.id, status: 'failed', error: { code, message } });
    } finally {
      this.hang.delete(cmd.id);
    }
  }
}

function isFinal(r: ReplyPayload | undefined): boolean {
  return r !== undefined && r.status !== 'accepted' && r.status !== 'running';
}
